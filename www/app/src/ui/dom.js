// Tiny DOM helpers: elements and SVG elements from a tag, attributes and children. No innerHTML.
const SVG = 'http://www.w3.org/2000/svg';

function build(node, attrs, children) {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** An HTML element: `el('p', { class: 'x' }, 'text', child)`. */
export const el = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);

/** An SVG element: `svg('rect', { x: 0, y: 0, width: 4, height: 4 })`. */
export const svg = (tag, attrs, ...children) => build(document.createElementNS(SVG, tag), attrs, children);

/** Resolves on the next animation frame. */
export const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));
