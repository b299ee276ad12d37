// Gives parse and validation errors their public code, on every transport.
import type { Plugin } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import { isGraphQLErrorLike } from './error-mapper.ts';

const withCode = (e: GraphQLError) =>
  e.extensions?.code
    ? e
    : new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, extensions: { ...e.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } });

export function useErrorCodes(): Plugin {
  return {
    onValidate() {
      return ({ result, setResult }) => {
        if (result.length > 0) setResult(result.map((e) => (isGraphQLErrorLike(e) ? withCode(e) : e)));
      };
    },
    onParse() {
      return ({ result, replaceParseResult }) => {
        if (isGraphQLErrorLike(result)) replaceParseResult(withCode(result));
      };
    },
  };
}
