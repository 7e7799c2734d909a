/** `1 image`, `2 images`; `plural(n, 'entry', 'entries')` for irregular words. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
