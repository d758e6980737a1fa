/** Replaces every occurrence of the given secrets (and basic-auth userinfo in URLs) with `***`. */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text.replace(/(\w+:\/\/)([^/\s:@]+):([^/\s@]+)@/g, '$1$2:***@');
  for (const s of secrets) {
    if (s && s.length >= 3) out = out.split(s).join('***');
  }
  return out;
}
