import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/**
 * docs/opentrain-api.md is the repository's own account of the OpenTrain contract: nothing may point at notes a
 * user who clones the repository cannot see, and every section of it cited in code (`…opentrain-api.md#<anchor>`)
 * must be a heading of that document.
 */

const root = join(__dirname, '..', '..');
const DOC = 'docs/opentrain-api.md';

/** Tracked files plus new ones not ignored, so a file is checked before its first commit too. */
function repositoryFiles(): Map<string, string> {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  const files = new Map<string, string>();
  for (const path of new Set(listed.split('\0').filter(Boolean))) {
    if (path.split('/').includes('node_modules')) continue;
    let text: string;
    try {
      text = readFileSync(join(root, path), 'utf8');
    } catch {
      continue; // listed but deleted in the work tree
    }
    if (!text.includes('\0')) files.set(path, text);
  }
  return files;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const heading = !inFence && /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const base = (heading[1] ?? '')
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

const files = repositoryFiles();
const doc = files.get(DOC) ?? '';

describe(DOC, () => {
  it('exists and has the sections code comments point at', () => {
    const anchors = headingAnchors(doc);
    for (const section of ['approvals', 'events', 'webhook-signatures', 'gaps-we-decided']) {
      expect(anchors).toContain(section);
    }
  });

  it('no file points at notes outside the repository', () => {
    // Built from parts so this test does not match itself.
    const forbidden = ['REFERENCE' + ' §', 'REFERENCE' + '.md', '..' + '/shared', '/work/' + 'shared'];
    const offenders = [...files]
      .flatMap(([path, text]) =>
        text.split('\n').map((line, index) => ({ path, line: index + 1, text: line })),
      )
      .filter(({ text }) => forbidden.some((needle) => text.includes(needle)))
      .map(({ path, line, text }) => `${path}:${line}: ${text.trim()}`);
    expect(offenders).toEqual([]);
  });

  it(`every ${DOC}#anchor cited anywhere is a heading of the document`, () => {
    const anchors = headingAnchors(doc);
    const citation = /docs\/opentrain-api\.md#([\p{L}\p{N}_-]+)/gu;
    const cited = [...files].flatMap(([path, text]) =>
      [...text.matchAll(citation)].map((match) => ({ path, anchor: match[1] ?? '' })),
    );
    // The comments that used to cite external notes now cite this document: far more than a handful.
    expect(cited.length).toBeGreaterThan(20);
    const broken = cited.filter(({ anchor }) => !anchors.has(anchor)).map((c) => `${c.path} → #${c.anchor}`);
    expect(broken).toEqual([]);
  });

  it('markdown links to a section of a markdown file resolve (this document and the ones linking to it)', () => {
    const link = /\]\(([\w./-]*\.md)?#([\p{L}\p{N}_-]+)\)/gu;
    const links = [...files]
      .filter(([path]) => path.endsWith('.md'))
      .flatMap(([path, text]) =>
        [...text.matchAll(link)].map(([, file, anchor]) => ({
          from: path,
          target: file ? normalize(join(dirname(path), file)) : path,
          anchor: anchor ?? '',
        })),
      );
    expect(links.filter(({ from }) => from === DOC).length).toBeGreaterThan(10);
    expect(links.filter(({ from, target }) => from !== DOC && target === DOC).length).toBeGreaterThan(1);
    const broken = links
      .filter(({ target, anchor }) => !headingAnchors(files.get(target) ?? '').has(anchor))
      .map(({ from, target, anchor }) => `${from} → ${target}#${anchor}`);
    expect(broken).toEqual([]);
  });
});
