// Takes docs/web-screenshot.png: the page after a finished autorun (curves, table, backend line).
//   node apps/web/scripts/screenshot.mjs [query]   (default '?autorun=1&epochs=5')
// Builds the site first when dist/ is stale.
import { join } from 'node:path';
import { REPO, waitForResult, withPage } from './harness.mjs';

const query = process.argv[2] ?? '?autorun=1&epochs=5';
const out = join(REPO, 'docs', 'web-screenshot.png');
const log = (/** @type {string} */ line) => process.stderr.write(`${line}\n`);

await withPage(
  `./${query}`,
  async (page, errors) => {
    const result = await waitForResult(page, 900_000);
    if (result.error) throw new Error(`the page reported: ${result.error}`);
    await page.waitForTimeout(300); // the charts' last animation frame
    await page.screenshot({ path: out, fullPage: true });
    if (errors.length > 0) log(`console errors:\n${errors.join('\n')}`);
    log(`web: wrote ${out} (KD ${(result.kd.accuracy * 100).toFixed(2)}%, ${result.backend})`);
  },
  { log },
);
