// Prints benchmark figures as a Markdown table: text columns left-aligned, numbers right.

/** `left` lists the columns to left-align (default: the first). */
export function printTable(header: string[], rows: string[][], left: number[] = [0]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const isLeft = (i: number) => left.includes(i);
  const line = (cells: string[]) => `| ${cells.map((x, i) => (isLeft(i) ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join(' | ')} |`;
  console.log('');
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (isLeft(i) ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}
