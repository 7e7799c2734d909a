/** Prints a benchmark's figures as an aligned two-column table under a title. */
export function printFigures(title: string, rows: Array<[string, string]>): void {
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`\n${title}, ${new Date().toISOString()}`);
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
}
