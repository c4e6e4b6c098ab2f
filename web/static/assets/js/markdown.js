// A live preview of Markdown while an article is being written, built as
// DOM nodes (never as an HTML string), so whatever an editor types is shown
// as text. It covers what KB articles use (headings, paragraphs, lists,
// quotes, code, tables, emphasis, links); after saving, the editor shows
// the server's rendering, which is the one agents and customers see.

import { h, add } from './dom.js';

export function renderMarkdown(src) {
  const root = document.createDocumentFragment();
  const lines = String(src || '').replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  const isBlank = l => /^\s*$/.test(l);
  const isTableSep = l => /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(l);
  const startsBlock = l => /^(#{1,6}\s|>|```|\s*([-*+]|\d+[.)])\s|\s*(-{3,}|\*{3,})\s*$)/.test(l);

  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) { i++; continue; }
    let m;
    if ((m = line.match(/^(#{1,6})\s+(.*?)\s*#*\s*$/))) {
      add(root, h('h' + m[1].length, {}, inline(m[2])));
      i++;
    } else if (/^```/.test(line)) {
      const code = [];
      i++;
      while (i < lines.length && !/^```/.test(lines[i])) code.push(lines[i++]);
      i++;
      add(root, h('pre', {}, h('code', {}, code.join('\n'))));
    } else if (/^\s*(-{3,}|\*{3,})\s*$/.test(line)) {
      add(root, h('hr'));
      i++;
    } else if (/^>/.test(line)) {
      const quote = [];
      while (i < lines.length && /^>/.test(lines[i])) quote.push(lines[i++].replace(/^>\s?/, ''));
      add(root, h('blockquote', {}, renderMarkdown(quote.join('\n'))));
    } else if ((m = line.match(/^\s*([-*+]|\d+[.)])\s+/))) {
      const ordered = /\d/.test(m[1]);
      const list = h(ordered ? 'ol' : 'ul');
      while (i < lines.length) {
        const lm = lines[i].match(/^\s*([-*+]|\d+[.)])\s+(.*)$/);
        if (!lm || /\d/.test(lm[1]) !== ordered) break;
        const item = [lm[2]];
        i++;
        while (i < lines.length && /^\s{2,}\S/.test(lines[i]) && !/^\s*([-*+]|\d+[.)])\s/.test(lines[i])) item.push(lines[i++].trim());
        add(list, h('li', {}, inline(item.join(' '))));
      }
      add(root, list);
    } else if (line.includes('|') && i + 1 < lines.length && isTableSep(lines[i + 1])) {
      const cells = l => l.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map(c => c.trim());
      const head = cells(line);
      i += 2;
      const body = [];
      while (i < lines.length && lines[i].includes('|') && !isBlank(lines[i])) body.push(cells(lines[i++]));
      add(root, h('table', {},
        h('thead', {}, h('tr', {}, head.map(c => h('th', {}, inline(c))))),
        h('tbody', {}, body.map(r => h('tr', {}, head.map((_, j) => h('td', {}, inline(r[j] || ''))))))));
    } else {
      const para = [];
      while (i < lines.length && !isBlank(lines[i]) && !(para.length && startsBlock(lines[i]))) para.push(lines[i++]);
      add(root, h('p', {}, inline(para.join('\n'))));
    }
  }
  return root;
}

// inline handles code spans, links, images, bold and italics. Everything
// that is not one of those stays text.
function inline(text) {
  const out = [];
  const re = /`([^`]+)`|!\[([^\]]*)\]\(([^)\s]+)\)|\[([^\]]+)\]\(([^)\s]+)\)|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|\n/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(h('code', {}, m[1]));
    else if (m[3] !== undefined) out.push(image(m[2], m[3]));
    else if (m[5] !== undefined) out.push(h('a', { href: m[5], rel: 'noopener noreferrer', target: '_blank' }, inline(m[4])));
    else if (m[6] !== undefined || m[7] !== undefined) out.push(h('strong', {}, inline(m[6] ?? m[7])));
    else if (m[8] !== undefined) out.push(h('em', {}, inline(m[8])));
    else out.push(h('br'));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function image(alt, src) {
  // Only https and our own paths; the page's CSP would refuse anything
  // else anyway.
  if (!/^https:\/\//.test(src) && !/^\/(?!\/)/.test(src)) return alt;
  return h('img', { src, alt, loading: 'lazy' });
}
