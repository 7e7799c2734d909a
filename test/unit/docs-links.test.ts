import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/lib/tools.js';

const docsDir = join(projectRoot, 'docs');
const pages = [join(projectRoot, 'README.md'), ...readdirSync(docsDir).filter((name) => name.endsWith('.md')).map((name) => join(docsDir, name))];

/** The text outside fenced code blocks: a `# comment` in a code sample is not a heading, and `[a](b)` there is not a link. */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').filter((line) => {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered -1, -2 … */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of prose(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const times = seen.get(slug) ?? 0;
    seen.set(slug, times + 1);
    anchors.add(times === 0 ? slug : `${slug}-${times}`);
  }
  return anchors;
}

/** Every inline link target, with code spans removed first so that `[x](y)` in code is not taken for a link. */
function linksOf(markdown: string): string[] {
  const targets: string[] = [];
  for (const line of prose(markdown)) {
    for (const match of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) targets.push(match[1] as string);
  }
  return targets;
}

/** What is wrong with one link from `page`, or null when it resolves. */
function brokenLink(page: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null; // https:, mailto: … are not checked here
  const [path = '', anchor] = target.split('#', 2);
  const file = path === '' ? page : resolve(dirname(page), decodeURIComponent(path));
  if (!existsSync(file)) return `${target}: no file ${relative(projectRoot, file)}`;
  if (anchor === undefined) return null;
  if (statSync(file).isDirectory() || !file.endsWith('.md')) return `${target}: an anchor into something that is not a Markdown page`;
  return anchorsOf(readFileSync(file, 'utf8')).has(decodeURIComponent(anchor)) ? null : `${target}: no heading #${anchor} in ${relative(projectRoot, file)}`;
}

describe('links in README.md and docs/', () => {
  it('finds the pages and their links', () => {
    expect(pages.length).toBeGreaterThan(5);
    expect(linksOf(readFileSync(pages[0] as string, 'utf8')).filter((link) => link.startsWith('docs/')).length).toBeGreaterThan(5);
  });

  it('makes GitHub-style anchors', () => {
    expect([...anchorsOf("# Cost of a cohort's page views\n## Make a dataset: `npm start`\n## A\n## A\n```\n# not a heading\n```")])
      .toEqual(['cost-of-a-cohorts-page-views', 'make-a-dataset-npm-start', 'a', 'a-1']);
  });

  it.each(pages.map((page) => [relative(projectRoot, page), page]))('every relative link and anchor in %s resolves', (_name, page) => {
    const broken = linksOf(readFileSync(page, 'utf8')).map((target) => brokenLink(page, target)).filter((problem) => problem !== null);
    expect(broken).toEqual([]);
  });
});
