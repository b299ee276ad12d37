import type { UserRow } from '../db/entities.ts';
import { builder } from './builder.ts';

export const UserRef = builder.objectRef<UserRow>('User').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    email: t.exposeString('email'),
    credits: t.exposeInt('credits'),
    isAdmin: t.exposeBoolean('isAdmin', { description: 'Administrators manage the model providers; an operator grants it (`npm run admin`).' }),
  }),
});

const AuthPayloadRef = builder.objectRef<{ token: string; user: UserRow }>('AuthPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'Send as "Authorization: Bearer <token>" (HTTP, SSE) or connectionParams.authorization (WebSocket).' }),
    user: t.field({ type: UserRef, resolve: (p) => p.user }),
  }),
});

const SignUpInput = builder.inputType('SignUpInput', {
  fields: (t) => ({ email: t.string({ required: true }), password: t.string({ required: true }) }),
});
const SignInInput = builder.inputType('SignInInput', {
  fields: (t) => ({ email: t.string({ required: true }), password: t.string({ required: true }) }),
});

builder.queryField('me', (t) =>
  t.field({
    type: UserRef,
    resolve: (_root, _args, ctx) => ctx.services.accounts.getUser(ctx.requireUser().id),
  }),
);

builder.mutationField('signUp', (t) =>
  t.field({
    type: AuthPayloadRef,
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      await ctx.services.rateLimits.signUp(ctx.ip);
      return ctx.services.accounts.signUp(input);
    },
  }),
);

builder.mutationField('signOut', (t) =>
  t.boolean({
    description: 'Ends the session of the bearer token this request carries: it stops working everywhere.',
    resolve: async (_root, _args, ctx) => {
      ctx.requireUser();
      if (ctx.token) {
        await ctx.services.accounts.signOut(ctx.token);
        await ctx.services.sessions.ended(ctx.token); // its open subscriptions end too, on every instance
      }
      return true;
    },
  }),
);

builder.mutationField('signIn', (t) =>
  t.field({
    type: AuthPayloadRef,
    args: { input: t.arg({ type: SignInInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      await ctx.services.rateLimits.signIn(ctx.ip, input.email);
      return ctx.services.accounts.signIn(input);
    },
  }),
);
