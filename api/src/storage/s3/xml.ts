// S3's XML: toXml() writes response bodies, parseXml() reads request bodies (on fast-xml-parser, hardened).
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { problems } from '../../platform/problems.js';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
/** The largest request body parseXml takes: 10,000 parts or 1,000 escaped 1 KiB keys fit with room to spare. */
export const MAX_XML_BYTES = 8 * 1024 * 1024;

/** A response value: objects become child elements in member order, arrays repeated elements. */
export type XmlValue = string | number | bigint | boolean | Date | null | undefined | XmlObject | XmlValue[];
/** Members whose name starts with `@` are attributes of the element, e.g. `'@xsi:type': 'CanonicalUser'`. */
export interface XmlObject {
  [member: string]: XmlValue;
}

// Text escaping. Besides the five markup characters: CR and LF as references, because XML parsers turn a literal
// CR (or CRLF) into LF, and S3 keys may hold either (AWS escapes them the same way); C0 controls, U+FFFE and U+FFFF
// as references too, since XML 1.0 forbids them raw. Strict XML 1.0 parsers (expat) refuse even the references, as
// they do AWS's: clients that need such keys ask for encoding-type=url (botocore always does).
const ESCAPE = /[&<>"'\u0000-\u0008\u000a-\u001f\ufffe\uffff]/g;
const NAMED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export const escapeXml = (s: string) => s.replace(ESCAPE, (c) => NAMED[c] ?? `&#${c.charCodeAt(0)};`);

function text(v: Exclude<XmlValue, XmlObject | XmlValue[] | undefined>): string {
  if (v === null) return '';
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new RangeError('an invalid Date cannot be serialized');
    return v.toISOString(); // 2006-02-03T16:45:09.000Z: milliseconds and Z, as S3 sends
  }
  if (typeof v === 'number' && !Number.isFinite(v)) throw new RangeError(`${v} cannot be serialized`);
  return escapeXml(String(v));
}

function element(name: string, v: XmlValue, extraAttrs = ''): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return v.map((item) => element(name, item)).join('');
  if (v === null || typeof v !== 'object' || v instanceof Date) return `<${name}${extraAttrs}>${text(v)}</${name}>`;
  let attrs = extraAttrs;
  let body = '';
  for (const [member, child] of Object.entries(v)) {
    if (member.startsWith('@')) {
      if (child !== undefined) attrs += ` ${member.slice(1)}="${text(child as string)}"`;
    } else body += element(member, child);
  }
  return `<${name}${attrs}>${body}</${name}>`;
}

/**
 * A complete S3 response body: the declaration, then root with S3's namespace. Except an `<Error>`: AWS sends it
 * without one, and botocore (AWS CLI, boto3) recognises an S3 error only by the bare root tag; with the namespace
 * it reads every error's Code as empty.
 */
export function toXml(root: string, value: XmlValue): string {
  if (Array.isArray(value)) throw new TypeError('the root of a document cannot be an array');
  const ns = root === 'Error' ? '' : ` xmlns="${S3_NAMESPACE}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element(root, value ?? null, ns)}`;
}

/** A parsed request body: leaves are strings (numbers too, as sent), repeated elements arrays. */
export type XmlParsed = string | XmlTree | XmlParsed[];
export interface XmlTree {
  [element: string]: XmlParsed;
}

// preserveOrder keeps text and elements apart, so whitespace inside keys survives while indentation between
// elements is dropped; entities are left to decode() so nothing but XML's own five (and character references)
// ever expands: no DTD, no external entities, no billion laughs.
const parser = new XMLParser({
  preserveOrder: true,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  trimValues: false,
  ignoreAttributes: true,
  removeNSPrefix: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  maxNestedTags: 32,
});

const malformed = (detail: string) =>
  problems.s3(
    'MalformedXML',
    `The XML you provided was not well-formed or did not validate against our published schema: ${detail}.`,
  );

const ENTITY = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|([A-Za-z][A-Za-z0-9._-]*));|&/g;
const BUILT_IN: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(ENTITY, (ref, hex?: string, dec?: string, name?: string) => {
    if (name) {
      if (name in BUILT_IN) return BUILT_IN[name];
      throw malformed(`the entity &${name}; is not defined (only XML's built-in entities are)`);
    }
    const code = hex ? parseInt(hex, 16) : dec ? parseInt(dec, 10) : NaN;
    if (!(code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff))
      throw malformed(`${ref} is not a character reference`);
    return String.fromCodePoint(code);
  });
}

type Node = Record<string, unknown>;

function convert(children: Node[], repeated: Set<string>, path: string): XmlParsed {
  let textValue = '';
  let hasElements = false;
  const out: XmlTree = {};
  for (const node of children) {
    if ('#text' in node) textValue += decode(String(node['#text']));
    else if ('#cdata' in node) textValue += (node['#cdata'] as Node[]).map((t) => String(t['#text'])).join('');
    else {
      const name = Object.keys(node).find((k) => k !== ':@')!;
      const value = convert(node[name] as Node[], repeated, `${path}/${name}`);
      hasElements = true;
      const prior = Object.prototype.hasOwnProperty.call(out, name) ? out[name] : undefined;
      if (repeated.has(name)) {
        if (prior === undefined) set(out, name, [value]);
        else (prior as XmlParsed[]).push(value);
      } else if (prior !== undefined) throw malformed(`${path}/${name} may appear only once`);
      else set(out, name, value);
    }
  }
  if (!hasElements) return textValue;
  if (textValue.trim()) throw malformed(`${path} mixes text with elements`);
  return out;
}

// defineProperty, not assignment: an element called __proto__ must not reach the prototype.
const set = (o: XmlTree, k: string, v: XmlParsed) =>
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

/**
 * A request body as a plain object of root's children. Elements named in `repeated` are always arrays; every
 * leaf is its text. Not well formed, a DTD, another root, or over maxBytes: MalformedXML.
 */
export function parseXml(body: Buffer, root: string, repeated: string[], maxBytes = MAX_XML_BYTES): XmlTree {
  if (body.length > maxBytes) throw malformed(`the body is larger than ${maxBytes} bytes`);
  let xml: string;
  try {
    xml = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    throw malformed('the body is not UTF-8');
  }
  // XML's end-of-line handling: a literal CR or CRLF reads as LF (a CR in a key is sent as &#13;).
  xml = xml.replace(/\r\n?/g, '\n');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw malformed(`${valid.err.msg} (line ${valid.err.line})`);
  // Markup declarations are the only way to define entities; refusing them is the billion-laughs guard.
  for (const m of xml.matchAll(/<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<!/g))
    if (m[0] === '<!') throw malformed('document type declarations are not accepted');
  let doc: Node[];
  try {
    doc = parser.parse(xml) as Node[];
  } catch (e) {
    throw malformed((e as Error).message);
  }
  const roots = doc.filter((n) => !('#text' in n) || String(n['#text']).trim());
  if (roots.length !== 1 || '#text' in roots[0] || '#cdata' in roots[0])
    throw malformed(`the body must be one ${root} element`);
  const name = Object.keys(roots[0]).find((k) => k !== ':@')!;
  if (name !== root) throw malformed(`the root element is ${name}, not ${root}`);
  const tree = convert(roots[0][name] as Node[], new Set(repeated), name);
  if (typeof tree === 'string') {
    if (tree.trim()) throw malformed(`${root} holds text instead of elements`);
    return {};
  }
  return tree as XmlTree;
}
