import { useCallback, useEffect, useState } from 'react';
import { parseThemeChoice, resolveTheme, type ThemeChoice, toggledTheme } from './theme.ts';

const KEY = 'mooring.theme';
const query = () => window.matchMedia('(prefers-color-scheme: dark)');

/** The theme shown now and a toggle; the choice is remembered, 'system' follows prefers-color-scheme. */
export function useTheme(): { theme: 'light' | 'dark'; toggle: () => void } {
  const [choice, setChoice] = useState<ThemeChoice>(() => {
    try {
      return parseThemeChoice(localStorage.getItem(KEY));
    } catch {
      return 'system';
    }
  });
  const [systemDark, setSystemDark] = useState(() => query().matches);
  useEffect(() => {
    const m = query();
    const on = () => setSystemDark(m.matches);
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, []);
  const theme = resolveTheme(choice, systemDark);
  useEffect(() => {
    if (choice === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = choice;
  }, [choice]);
  const toggle = useCallback(() => {
    const next = toggledTheme(choice, systemDark);
    setChoice(next);
    try {
      localStorage.setItem(KEY, next);
    } catch {
      // private mode: the choice lasts for this page only
    }
  }, [choice, systemDark]);
  return { theme, toggle };
}
