// The code listings: the excerpt of a demo's own source that runs, and its Rust twin, with a
// small highlighter (comments, strings, keywords, numbers, calls) built from text nodes.
import { el } from './dom.js';

/**
 * The lines between `// #region demo` and `// #endregion` of a source file, dedented; lines
 * ending in `// playground` only feed the page's charts and are left out.
 */
export function excerpt(source) {
  const lines = source.split('\n');
  const from = lines.findIndex((l) => l.includes('#region demo'));
  const to = lines.findIndex((l, i) => i > from && l.includes('#endregion'));
  const body = lines.slice(from + 1, to === -1 ? undefined : to).filter((l) => !/\/\/ playground\s*$/.test(l));
  const indent = Math.min(...body.filter((l) => l.trim()).map((l) => l.match(/^ */)[0].length));
  return body.map((l) => l.slice(indent)).join('\n').trim();
}

const KEYWORDS = {
  js: 'async await const let function return for of if else new try catch throw import from export break continue while class',
  rust: 'async await let mut fn return for in if else match move use pub struct impl loop while break continue Some None Ok Err true false as mod',
};
const TOKEN = /(\/\/[^\n]*)|("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|(\b\d[\d_.]*(?:ms|s)?\b)|([A-Za-z_][\w]*!?)(?=\s*[(<!]|::)|([A-Za-z_]\w*)/g;

/** A `<pre><code>` of `text`, highlighted as `lang` (`js` or `rust`). */
export function codeBlock(text, lang, label) {
  const keywords = new Set(KEYWORDS[lang].split(' '));
  const code = el('code', { class: `lang-${lang}` });
  let at = 0;
  for (const m of text.matchAll(TOKEN)) {
    if (m.index > at) code.append(text.slice(at, m.index));
    const [word] = m;
    let cls = null;
    if (m[1]) cls = 'tok-comment';
    else if (m[2]) cls = 'tok-string';
    else if (m[3]) cls = 'tok-number';
    else if (keywords.has(word.replace(/!$/, ''))) cls = 'tok-keyword';
    else if (m[4]) cls = word.endsWith('!') ? 'tok-macro' : 'tok-call';
    else if (/^[A-Z]/.test(word)) cls = 'tok-type';
    code.append(cls ? el('span', { class: cls }, word) : word);
    at = m.index + word.length;
  }
  code.append(text.slice(at));
  return el('pre', { class: 'code', tabindex: '0', 'aria-label': label }, code);
}
