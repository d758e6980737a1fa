/**
 * `mooring login [URL]` and `mooring logout`: a session token kept in the
 * config file (mode 0600) with the platform's URL. The token is never printed.
 */
import { ApiClient, ApiError, baseUrl } from '../api/client.ts';
import { PLATFORM_USAGE, parsePlatformArgs, positionals, reporting } from '../api/command.ts';
import { configPath, readStoredLogin, writeStoredLogin } from '../api/config.ts';
import { forgetKubeTokens } from '../api/kubeTokenCache.ts';
import { serialise } from '../api/output.ts';
import { EXIT } from '../exits.ts';
import { type Command, type Io, UsageError } from '../io.ts';

interface Session {
  token: string;
  expires_at: string;
  user: { id: string; username: string; role: string; display_name?: string };
}

const LOGIN_USAGE = `usage: mooring login [URL] [--username NAME [--password-stdin]]

Logs in to the platform at URL (default: --url, $MOORING_URL, else the URL of the last login)
and keeps the session token in ${'$XDG_CONFIG_HOME'}/mooring/config.json (default
~/.config/mooring/config.json, readable by you only). On a terminal it asks for the user name
and the password (not echoed); elsewhere give --username and the password on stdin:

  printf '%s' "$PASSWORD" | mooring login https://mooring.example.com --username admin --password-stdin

      --username NAME     the user name (asked on a terminal when absent)
      --password-stdin    read the password from stdin (one line)

${PLATFORM_USAGE}`;

const LOGOUT_USAGE = `usage: mooring logout

Ends the stored session on the platform and removes its token from the config file (the URL
stays), and forgets the kubectl tokens "mooring cluster kube-token" kept. A token in
$MOORING_TOKEN or --token is left alone.

${PLATFORM_USAGE}`;

/** Username and password from the flags, stdin or the terminal. */
async function credentials(
  io: Io,
  o: { username?: string; passwordStdin?: boolean },
): Promise<{ username: string; password: string }> {
  if (o.passwordStdin) {
    if (!o.username) throw new UsageError('--password-stdin needs --username');
    if (!io.readStdin) throw new UsageError('stdin cannot be read here');
    const password = (await io.readStdin()).replace(/\r?\n$/, '');
    if (password === '') throw new UsageError('--password-stdin: stdin was empty');
    return { username: o.username, password };
  }
  if (!io.stdinIsTTY || !io.prompt)
    throw new UsageError('no terminal to ask for the password: give --username and --password-stdin');
  const username = o.username || (await io.prompt('Username: ')).trim();
  if (!username) throw new UsageError('no user name given');
  const password = await io.prompt('Password: ', { hidden: true });
  if (!password) throw new UsageError('no password given');
  return { username, password };
}

export const loginCommand: Command = {
  summary: 'log in to the platform and keep the session (mooring logout ends it)',
  usage: LOGIN_USAGE,
  run(argv, io) {
    return reporting(io, argv, 'mooring login', async () => {
      const {
        values,
        positionals: given,
        format,
      } = parsePlatformArgs(argv, {
        username: { type: 'string' },
        'password-stdin': { type: 'boolean' },
      });
      if (given.length > 1) positionals(given, ['URL']);
      if (values.token) throw new UsageError('--token: login makes its own token');
      const file = configPath(io.env);
      const stored = readStoredLogin(file);
      const raw = given[0] ?? values.url ?? io.env.MOORING_URL ?? stored.url;
      if (!raw) throw new UsageError('give the platform URL: mooring login URL');
      let url: string;
      try {
        url = baseUrl(raw);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const { username, password } = await credentials(io, {
        username: values.username,
        passwordStdin: values['password-stdin'],
      });
      const session = await new ApiClient({ url }).post<Session>('/auth/login', { username, password });
      writeStoredLogin(file, {
        url,
        token: session.token,
        username: session.user.username,
        expires_at: session.expires_at,
      });
      const shown = { url, user: session.user, expires_at: session.expires_at, config: file };
      if (format !== 'text') io.stdout(serialise(format, shown));
      else
        io.stdout(
          `logged in to ${url} as ${session.user.username} (${session.user.role}); the session ends ${session.expires_at}\n`,
        );
      return EXIT.ok;
    });
  },
};

export const logoutCommand: Command = {
  summary: 'end the stored session and forget its token',
  usage: LOGOUT_USAGE,
  run(argv, io) {
    return reporting(io, argv, 'mooring logout', async () => {
      const { positionals: given, format } = parsePlatformArgs(argv, {});
      positionals(given, []);
      const file = configPath(io.env);
      const stored = readStoredLogin(file);
      let ended = false;
      if (stored.url && stored.token) {
        try {
          await new ApiClient({ url: stored.url, token: stored.token }).post('/auth/logout');
          ended = true;
        } catch (e) {
          // an expired or revoked session is as good as ended
          if (!(e instanceof ApiError && e.status === 401)) throw e;
        }
        const { token: _token, expires_at: _expires, ...kept } = stored;
        writeStoredLogin(file, kept);
      }
      // kubectl's kept tokens go with the session (each still works until its own expiry, 15 min at most)
      forgetKubeTokens(io.env);
      const result = {
        url: stored.url ?? null,
        logged_out: stored.token !== undefined,
        session_ended: ended,
      };
      if (format !== 'text') io.stdout(serialise(format, result));
      else if (!stored.token) io.stdout('not logged in\n');
      else io.stdout(`logged out of ${stored.url}\n`);
      return EXIT.ok;
    });
  },
};
