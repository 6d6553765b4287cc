// An allow-list lint rule: the files it applies to may import only the packages and folders named
// in its options. A deny-list lets every new module through unseen (node:timers, events and value
// imports of activities once passed into workflow code); here a new import is refused until someone
// decides it belongs. docs/style.md principle 2.
//
// Options: { allow: string[], typeOnly?: string[], why: string }
//   allow     package names ('zod', '@temporalio/workflow') or repository folders ending in '/'
//             ('src/api/'); a relative import is resolved against the importing file first.
//   typeOnly  folders that may be imported for their types only (`import type`), e.g. activities.
import { dirname, relative, resolve } from 'node:path';

const root = dirname(import.meta.dirname);

function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function isTypeOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specifiers = node.specifiers ?? [];
  return specifiers.length > 0 && specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type');
}

/** The target of `spec` as the allow-list names it: a repository path or a package name. */
function target(spec, filename) {
  if (spec.startsWith('.'))
    return relative(root, resolve(dirname(filename), spec))
      .split('\\')
      .join('/');
  return packageName(spec);
}

function matches(entry, t) {
  return entry.endsWith('/') ? t.startsWith(entry) : t === entry;
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'imports outside an allow-list of packages and folders' },
    schema: [
      {
        type: 'object',
        properties: {
          allow: { type: 'array', items: { type: 'string' } },
          typeOnly: { type: 'array', items: { type: 'string' } },
          why: { type: 'string' },
        },
        required: ['allow', 'why'],
        additionalProperties: false,
      },
    ],
    messages: {
      notAllowed: "'{{spec}}' is not allowed here: {{why}}. Allowed: {{allowed}}.",
      typesOnly: "'{{spec}}' may be imported for its types only here (`import type`): {{why}}.",
    },
  },
  create(context) {
    const { allow, typeOnly = [], why } = context.options[0];
    const allowed = [...allow, ...typeOnly.map((t) => `${t} (types)`)].join(', ');
    function check(node, source, typeImport) {
      if (!source || typeof source.value !== 'string') return;
      const t = target(source.value, context.filename);
      if (allow.some((e) => matches(e, t))) return;
      if (typeOnly.some((e) => matches(e, t))) {
        if (!typeImport) context.report({ node, messageId: 'typesOnly', data: { spec: source.value, why } });
        return;
      }
      context.report({ node, messageId: 'notAllowed', data: { spec: source.value, why, allowed } });
    }
    return {
      ImportDeclaration: (node) => check(node, node.source, isTypeOnly(node)),
      ExportNamedDeclaration: (node) => check(node, node.source, isTypeOnly(node)),
      ExportAllDeclaration: (node) => check(node, node.source, node.exportKind === 'type'),
      ImportExpression: (node) => check(node, node.source, false),
      TSImportType: () => {},
    };
  },
};
