// Drives headless Chromium (Debian's) through the example app as a person
// would: the login form, the consent page, a remembered consent, the
// connected apps page and its revoke button. Reads a JSON spec on stdin,
// prints JSON on stdout. Exits 3 when the browser or playwright-core is
// missing (the Rust test then says what to install).
//
// spec: { base, username, authorize: [query, query, query],
//         redirect_uri, client_name, client_id, phase, state_file }
// phase "consent": log in, allow, then the remembered second request.
// phase "revoke":  (same cookies) the apps page, revoke, and the third
//                  request, which asks again; denied.

import { readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';

const spec = JSON.parse(readFileSync(0, 'utf8'));
const executablePath = spec.chromium || '/usr/bin/chromium';

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  console.error(`playwright-core is not installed (npm ci in tests/browser): ${e.message}`);
  process.exit(3);
}
if (!existsSync(executablePath)) {
  console.error(`no Chromium at ${executablePath} (apt-get install chromium)`);
  process.exit(3);
}

const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const fail = async (message) => {
  await browser.close();
  // (the client's server, if started, goes with the process)
  console.error(message);
  process.exit(1);
};

try {
  const context = await browser.newContext(
    spec.phase === 'revoke' ? { storageState: spec.state_file } : {});
  // The client's page at its redirect URI (a loopback address, RFC 8252
  // §7.3), served here as the client would serve it.
  const callback = new URL(spec.redirect_uri);
  const client = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<title>client</title>back at the client');
  });
  await new Promise((ready) => client.listen(Number(callback.port), callback.hostname, ready));
  const page = await context.newPage();
  const authorizeUrl = (query) => `${spec.base}/oauth/authorize?${query}`;
  const backAtClient = () => page.waitForURL((url) => url.href.startsWith(spec.redirect_uri));
  const callbackParams = () => Object.fromEntries(new URL(page.url()).searchParams);
  const out = { phase: spec.phase };

  if (spec.phase === 'consent') {
    // Logged out, the authorization request leads to the login form ...
    await page.goto(authorizeUrl(spec.authorize[0]));
    out.login_page = new URL(page.url()).pathname;
    await page.fill('input[name=username]', spec.username);
    await Promise.all([page.waitForURL(/\/oauth\/authorize\?/), page.click('button[type=submit]')]);
    // ... and back to the consent page, which names the client.
    out.consent_heading = (await page.textContent('h2')).trim();
    out.consent_scopes = await page.locator('ul li').allTextContents();
    await Promise.all([backAtClient(), page.click('button[name=confirm][value=yes]')]);
    out.first = callbackParams();

    // The same request again: no page, straight back to the client.
    const response = await page.goto(authorizeUrl(spec.authorize[1]));
    const chain = [];
    for (let r = response.request(); r; r = r.redirectedFrom()) chain.unshift(r.url());
    out.remembered_chain = chain;
    out.remembered = callbackParams();
    await context.storageState({ path: spec.state_file });
  } else if (spec.phase === 'revoke') {
    await page.goto(`${spec.base}/account/apps`);
    const card = page.locator(`section.grant[data-client-id="${spec.client_id}"]`);
    out.card_before = (await card.count()) === 1
      ? { name: (await card.locator('h3').textContent()).trim(),
          scopes: await card.locator('li').allTextContents(),
          hint: (await card.locator('.hint').textContent()).trim() }
      : null;
    if (!out.card_before) await fail(`no card for ${spec.client_id}: ${await page.content()}`);
    await Promise.all([
      page.waitForURL(`${spec.base}/account/apps`),
      card.locator('button[type=submit]').click(),
    ]);
    out.after_revoke_path = new URL(page.url()).pathname;
    out.cards_after = await page.locator(`section.grant[data-client-id="${spec.client_id}"]`).count();
    out.no_apps_shown = await page.locator('#no-apps').isVisible();

    // The consent was forgotten: the page asks again.
    await page.goto(authorizeUrl(spec.authorize[2]));
    out.asked_again = await page.locator('button[name=confirm][value=yes]').isVisible();
    await Promise.all([backAtClient(), page.click('button[name=confirm][value=no]')]);
    out.denied = callbackParams();
  } else {
    await fail(`unknown phase ${spec.phase}`);
  }
  await browser.close();
  client.close();
  console.log(JSON.stringify(out));
} catch (e) {
  await fail(`${e.stack || e}`);
}
