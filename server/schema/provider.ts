// Admin-only management of the model providers.
import type { ModelProviderRow } from '../db/entities.ts';
import { PROVIDER_KINDS, type ProviderKind } from '../providers/provider-records.ts';
import { builder } from './builder.ts';

const ProviderKindEnum = builder.enumType('ProviderKind', {
  values: Object.fromEntries(PROVIDER_KINDS.map((k) => [k.toUpperCase(), { value: k }])) as Record<string, { value: ProviderKind }>,
});

const ModelProviderRef = builder.objectRef<ModelProviderRow>('ModelProvider').implement({
  description: 'An OpenAI-compatible model provider for one kind of stage. Stages use the active one of highest priority and fail over to the next on a retryable error.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.field({ type: ProviderKindEnum, resolve: (p) => p.kind as ProviderKind }),
    baseUrl: t.string({ nullable: true, resolve: (p) => p.baseUrl }),
    apiKeyEnv: t.exposeString('apiKeyEnv', { description: 'The environment variable that holds the key (the key itself is never stored).' }),
    keyPresent: t.boolean({ description: 'Whether that variable is set on the API process.', resolve: (p, _args, ctx) => ctx.services.providerRecords.keyPresent(p) }),
    model: t.exposeString('model'),
    active: t.exposeBoolean('active'),
    priority: t.exposeInt('priority'),
    createdAt: t.field({ type: 'DateTime', resolve: (p) => p.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (p) => p.updatedAt }),
  }),
});

const CreateModelProviderInput = builder.inputType('CreateModelProviderInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    kind: t.field({ type: ProviderKindEnum, required: true }),
    baseUrl: t.string(),
    apiKeyEnv: t.string({ required: true, description: 'OPENAI_API_KEY or a variable named PROVIDER_KEY_<NAME>: the operator decides which exist.' }),
    model: t.string({ required: true }),
    active: t.boolean(),
    priority: t.int(),
  }),
});

const UpdateModelProviderInput = builder.inputType('UpdateModelProviderInput', {
  fields: (t) => ({
    name: t.string(),
    kind: t.field({ type: ProviderKindEnum }),
    baseUrl: t.string(),
    apiKeyEnv: t.string({ description: 'OPENAI_API_KEY or a variable named PROVIDER_KEY_<NAME>.' }),
    model: t.string(),
    active: t.boolean(),
    priority: t.int(),
  }),
});

builder.queryField('modelProviders', (t) =>
  t.field({
    type: [ModelProviderRef],
    description: 'Admins only.',
    resolve: (_root, _args, ctx) => {
      ctx.requireAdmin();
      return ctx.services.providerRecords.list();
    },
  }),
);

builder.mutationField('createModelProvider', (t) =>
  t.field({
    type: ModelProviderRef,
    description: 'Admins only.',
    args: { input: t.arg({ type: CreateModelProviderInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      ctx.requireAdmin();
      return ctx.services.providerRecords.create(input);
    },
  }),
);

builder.mutationField('updateModelProvider', (t) =>
  t.field({
    type: ModelProviderRef,
    description: 'Admins only. Takes effect from the next attempt of any task.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateModelProviderInput, required: true }) },
    resolve: (_root, { id, input }, ctx) => {
      ctx.requireAdmin();
      const patch = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
      return ctx.services.providerRecords.update(id, patch);
    },
  }),
);

builder.mutationField('deleteModelProvider', (t) =>
  t.boolean({
    description: 'Admins only.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      ctx.requireAdmin();
      await ctx.services.providerRecords.delete(id);
      return true;
    },
  }),
);
