/** Quotes a word for a POSIX shell when it holds anything but safe characters. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface InstallCommandInput {
  /** The agent chart (`oci://...` or a repository chart reference). */
  chart: string;
  token: string;
  platformUrl: string;
}

/** The command that installs (or updates) a cluster's agent; it carries the agent token (pure). */
export function installCommand(i: InstallCommandInput): string {
  return [
    'helm upgrade --install mooring-agent',
    shellQuote(i.chart),
    '--namespace mooring --create-namespace',
    `--set config.token=${shellQuote(i.token)}`,
    `--set config.platform_url=${shellQuote(i.platformUrl)}`,
  ].join(' ');
}
