import type { Page } from 'playwright-core';

/** Signs a page in with a token (the UI keeps its session in sessionStorage, per tab). */
export async function signInWithToken(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/sign-in`);
  await page.evaluate((t) => sessionStorage.setItem('mooring.session', t), token);
}

/** A session token for a user, from the platform's login route. */
export async function login(base: string, username: string, password: string): Promise<string> {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (r.status !== 200) throw new Error(`login of ${username}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { token: string }).token;
}
