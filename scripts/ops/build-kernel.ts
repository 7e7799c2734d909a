/** `npm run build:kernel`: recompiles the metrics scan kernel and rewrites the module that embeds it. */
import { writeFileSync } from 'node:fs';
import { compileScanKernel, KERNEL_MODULE, kernelModuleText } from './scan-kernel.js';

const binary = await compileScanKernel();
writeFileSync(KERNEL_MODULE, kernelModuleText(binary));
console.log(`${KERNEL_MODULE}: ${binary.length} bytes of WebAssembly`);
