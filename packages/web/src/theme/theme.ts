/** The colour theme: a choice (system, light, dark) and what it resolves to (pure). */
export type ThemeChoice = 'system' | 'light' | 'dark';

export function resolveTheme(choice: ThemeChoice, systemPrefersDark: boolean): 'light' | 'dark' {
  return choice === 'system' ? (systemPrefersDark ? 'dark' : 'light') : choice;
}

/** The toggle goes to the opposite of what is shown now. */
export function toggledTheme(choice: ThemeChoice, systemPrefersDark: boolean): ThemeChoice {
  return resolveTheme(choice, systemPrefersDark) === 'dark' ? 'light' : 'dark';
}

export function parseThemeChoice(v: string | null | undefined): ThemeChoice {
  return v === 'light' || v === 'dark' ? v : 'system';
}
