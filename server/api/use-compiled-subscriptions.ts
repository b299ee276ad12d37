// Subscriptions whose events run compiled (graphql-jit). Every event of every subscription is
// a GraphQL execution, so the interpreter's per-field overhead would be paid thousands of times
// a second; graphql-jit compiles a subscription's selection once and runs it as plain functions.
//
// Only the events: the stream itself is opened by graphql-js (createSourceEventStream), because
// graphql-jit 0.8's own subscribe hands the root field its operation's *variables* as its
// arguments (zalando-incubator/graphql-jit#183, graphql-hive/envelop#2008), so
// `stageProgress(projectId: $p …)` or an inline literal reached the resolver as undefined.
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { createSourceEventStream, Kind, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const isAsyncIterable = (x: unknown): x is AsyncIterable<unknown> => typeof x === 'object' && x !== null && Symbol.asyncIterator in x;

/** Each source event through `map`; ending the mapped stream ends the source (its follower stops). */
function mapStream<T, R>(source: AsyncIterable<T>, map: (value: T) => R | Promise<R>): AsyncIterableIterator<R> {
  const it = source[Symbol.asyncIterator]();
  const done = (): IteratorResult<R> => ({ value: undefined, done: true });
  return {
    async next() {
      const next = await it.next();
      return next.done ? done() : { value: await map(next.value), done: false };
    },
    async return() {
      await it.return?.();
      return done();
    },
    async throw(error: unknown) {
      if (it.throw) {
        const next = await it.throw(error);
        return next.done ? done() : { value: await map(next.value), done: false };
      }
      await it.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

export function useCompiledSubscriptions(): Plugin {
  // Yoga's parser cache hands out one document object per query text: compile each once.
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | null>>();
  const compiledFor = (args: ExecutionArgs): CompiledQuery | null => {
    let byOperation = compiled.get(args.document);
    if (!byOperation) compiled.set(args.document, (byOperation = new Map()));
    const name = args.operationName ?? '';
    if (!byOperation.has(name)) {
      const result = compileQuery(args.schema, args.document, args.operationName ?? undefined);
      byOperation.set(name, isCompiledQuery(result) ? result : null); // not compilable: graphql-js runs it
    }
    return byOperation.get(name) ?? null;
  };

  const subscribe = async (args: ExecutionArgs, fallback: (args: ExecutionArgs) => unknown) => {
    const isSubscription = args.document.definitions.some(
      (d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === 'subscription' && (!args.operationName || d.name?.value === args.operationName),
    );
    const query = isSubscription ? compiledFor(args) : null;
    if (!query) return fallback(args);
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source; // its errors (bad arguments, NOT_FOUND, …)
    return mapStream(source, (payload) => query.query(payload, args.contextValue, args.variableValues ?? {}) as ExecutionResult | Promise<ExecutionResult>);
  };

  return {
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn(((args: ExecutionArgs) => subscribe(args, subscribeFn as (args: ExecutionArgs) => unknown)) as unknown as typeof subscribeFn);
    },
  };
}
