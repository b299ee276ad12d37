// A share token reads; it never writes. Every mutation it sends is refused with FORBIDDEN
// before anything runs, in one place for every transport (HTTP, SSE, WebSocket).
import { getOperationAST, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from './context.ts';

export function useReadOnlyShares(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (!(args.contextValue as Partial<Context>).share) return;
      if (getOperationAST(args.document, args.operationName)?.operation !== 'mutation') return;
      setResultAndStopExecution({
        data: null,
        errors: [new GraphQLError('A share link gives read-only access; sign in to change anything.', { extensions: { code: 'FORBIDDEN' } })],
      });
    },
  };
}
