// Rules every string input obeys, checked once for the whole operation before it runs, on
// every transport: no control characters (NUL and the rest of C0, DEL); tab and line breaks
// are text. A NUL would otherwise reach PostgreSQL and fail there, after work was done.
import { GraphQLError, Kind, visit, type DocumentNode, type ValueNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const RULE = 'must not contain control characters (only tab and line breaks are allowed)';

/** The path of the first string in `value` that breaks the rule, or null. */
function inValue(value: unknown, path: string): string | null {
  if (typeof value === 'string') return CONTROL.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = inValue(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const found = CONTROL.test(key) ? `${path}.<key>` : inValue(v, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

function inLiteral(node: ValueNode, path: string): string | null {
  switch (node.kind) {
    case Kind.STRING:
      return CONTROL.test(node.value) ? path : null;
    case Kind.LIST:
      for (let i = 0; i < node.values.length; i++) {
        const found = inLiteral(node.values[i], `${path}[${i}]`);
        if (found) return found;
      }
      return null;
    case Kind.OBJECT:
      for (const field of node.fields) {
        const found = inLiteral(field.value, `${path}.${field.name.value}`);
        if (found) return found;
      }
      return null;
    default:
      return null;
  }
}

/** The field (as the API names it, e.g. `input.name`) of the first string input that breaks the rule. */
export function badStringInput(document: DocumentNode, variables: Record<string, unknown> | null | undefined): string | null {
  let found: string | null = null;
  const argOfVariable = new Map<string, string>();
  visit(document, {
    Argument(node) {
      if (found) return false;
      if (node.value.kind === Kind.VARIABLE) argOfVariable.set(node.value.name.value, node.name.value);
      found = inLiteral(node.value, node.name.value);
      return undefined;
    },
    ObjectField(node) {
      if (node.value.kind === Kind.VARIABLE && !argOfVariable.has(node.value.name.value)) argOfVariable.set(node.value.name.value, node.name.value);
    },
  });
  if (found) return found;
  for (const [name, value] of Object.entries(variables ?? {})) {
    found = inValue(value, argOfVariable.get(name) ?? name);
    if (found) return found;
  }
  return null;
}

export function useInputRules(): Plugin {
  const refuse = (field: string) => ({
    errors: [new GraphQLError(`${field}: ${RULE}`, { extensions: { code: 'BAD_USER_INPUT', field } })],
  });
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const field = badStringInput(args.document, args.variableValues as Record<string, unknown>);
      if (field) setResultAndStopExecution(refuse(field));
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const field = badStringInput(args.document, args.variableValues as Record<string, unknown>);
      if (field) setResultAndStopExecution(refuse(field));
    },
  };
}
