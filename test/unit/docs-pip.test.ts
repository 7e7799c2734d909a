import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/lib/tools.js';

const docsDir = join(projectRoot, 'docs');
const pages = [join(projectRoot, 'README.md'), ...readdirSync(docsDir).filter((name) => name.endsWith('.md')).map((name) => join(docsDir, name))];

/**
 * The PyPI packages a snippet's imports need. `datasets` decodes an image column with Pillow but
 * does not depend on it, which is how a newcomer met "please install 'Pillow'".
 */
const NEEDS: Record<string, string[]> = { datasets: ['datasets', 'pillow'], requests: ['requests'], PIL: ['pillow'], mlcroissant: ['mlcroissant'] };

function pythonBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```python\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

function importedModules(code: string): string[] {
  const modules = [...code.matchAll(/^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w., ]+))/gm)].flatMap((m) =>
    (m[1] ?? m[2]!).split(',').map((name) => name.trim().split('.')[0]!),
  );
  return [...new Set(modules)];
}

describe('pip lines in the docs', () => {
  it.each(pages.map((page) => [page.slice(projectRoot.length + 1), page]))('%s names every package its Python snippets import', (_name, page) => {
    const markdown = readFileSync(page, 'utf8');
    const needed = new Set(pythonBlocks(markdown).flatMap(importedModules).flatMap((module) => NEEDS[module] ?? []));
    const installed = new Set([...markdown.matchAll(/pip install ([^\n`]+)/g)].flatMap((m) => m[1]!.toLowerCase().split(/\s+/)));
    expect([...needed].filter((name) => !installed.has(name)), 'packages missing from a `pip install` line').toEqual([]);
  });
});
