/** A tiny document model rendered to both REPORT.md and report.html, so both say the same. */
export type Block =
  | { readonly kind: 'heading'; readonly level: 1 | 2 | 3; readonly text: string }
  | { readonly kind: 'paragraph'; readonly text: string }
  | { readonly kind: 'list'; readonly items: readonly string[] }
  | {
      readonly kind: 'table';
      readonly header: readonly string[];
      readonly rows: readonly (readonly string[])[];
    }
  | {
      readonly kind: 'figure';
      /** Path relative to the results directory. */
      readonly file: string;
      readonly svg: string;
      readonly caption: string;
    };

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Markdown: GitHub tables, figures as image links to the SVG files. */
export function toMarkdown(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case 'heading':
        out.push(`${'#'.repeat(block.level)} ${block.text}`);
        break;
      case 'paragraph':
        out.push(block.text);
        break;
      case 'list':
        out.push(block.items.map((item) => `- ${item}`).join('\n'));
        break;
      case 'table':
        out.push(
          [
            `| ${block.header.map(escapeCell).join(' | ')} |`,
            `|${block.header.map(() => '---').join('|')}|`,
            ...block.rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`),
          ].join('\n'),
        );
        break;
      case 'figure':
        out.push(`![${block.caption}](${block.file})\n\n_${block.caption}_`);
        break;
    }
  }
  return `${out.join('\n\n')}\n`;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Inline markdown used in the report: `code`, **bold**, _italic_. */
function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[\s(])_([^_]+)_(?=$|[\s).,;:])/g, '$1<em>$2</em>');
}

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1b1f24}
h1{font-size:1.8em;border-bottom:2px solid #ddd;padding-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #eee}
table{border-collapse:collapse;margin:1em 0;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d0d7de;padding:4px 10px;text-align:right}th{background:#f6f8fa}
td:first-child,th:first-child{text-align:left}
code{background:#f2f4f7;padding:1px 4px;border-radius:3px;font-size:.92em}
figure{margin:1.5em 0}figcaption{color:#555;font-size:.9em}
figure svg{max-width:100%;height:auto}
`;

/** A single self-contained HTML page: styles inline, SVG plots inlined. */
export function toHtml(title: string, blocks: readonly Block[]): string {
  const body = blocks.map((block) => {
    switch (block.kind) {
      case 'heading':
        return `<h${block.level}>${inline(block.text)}</h${block.level}>`;
      case 'paragraph':
        return `<p>${inline(block.text)}</p>`;
      case 'list':
        return `<ul>${block.items.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`;
      case 'table':
        return `<table><thead><tr>${block.header.map((h) => `<th>${inline(h)}</th>`).join('')}</tr></thead><tbody>${block.rows
          .map((row) => `<tr>${row.map((cell) => `<td>${inline(cell)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`;
      case 'figure':
        return `<figure>${block.svg.replace(/^<\?xml[^>]*>\s*/, '')}<figcaption>${inline(block.caption)}</figcaption></figure>`;
    }
    return '';
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}
