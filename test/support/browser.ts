/**
 * Opening autoheal's web UI in Chromium for the browser tests. Chromium aborts the requests
 * in flight with net::ERR_NETWORK_CHANGED whenever a network interface comes or goes, and on
 * a Docker host one does whenever any container starts or stops (other tests' included).
 * A page whose module failed to load that way stays blank, so such a load is retried; any
 * other failure is the test's to see.
 */
import type { Page, Request, Response } from 'playwright-core';

const NETWORK_CHANGED = 'net::ERR_NETWORK_CHANGED';
/** The app has run when its frame is drawn: the live indicator is in every page. */
const APP_RAN = "document.getElementById('live') !== null";

/** Loads `url` in `page` and waits until the UI's script has run. */
export async function gotoUi(page: Page, url: string, attempts = 3): Promise<Response | null> {
  for (let attempt = 1; ; attempt++) {
    const aborted: string[] = [];
    const onFailed = (request: Request) => {
      if (request.failure()?.errorText === NETWORK_CHANGED) aborted.push(request.url());
    };
    page.on('requestfailed', onFailed);
    try {
      const response = attempt === 1 ? await page.goto(url) : await page.reload();
      const ran = await page
        .waitForFunction(APP_RAN, undefined, { timeout: 15_000 })
        .then(() => true)
        .catch(() => false);
      if (ran) return response;
      if (aborted.length === 0 || attempt >= attempts)
        throw new Error(
          `the web UI at ${url} did not start${aborted.length > 0 ? ` (${NETWORK_CHANGED}: ${aborted.join(', ')})` : ''}`,
        );
    } finally {
      page.off('requestfailed', onFailed);
    }
  }
}
