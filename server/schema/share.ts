// Share links: the owner makes read-only links to a project; a link's token, as the bearer,
// reads that project live (sharedProject, project, task, events, both subscriptions).
import type { ShareLinkView } from '../auth/share-links.ts';
import { ForbiddenError } from '../errors.ts';
import type { Context } from '../api/context.ts';
import { builder } from './builder.ts';
import { ProjectRef } from './refs.ts';

const urlOf = (ctx: Context, link: ShareLinkView) => `${ctx.services.clientUrl()}/#/share/${link.token}`;

const ShareLinkRef = builder.objectRef<ShareLinkView>('ShareLink').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    token: t.exposeString('token', { description: 'A bearer token with read-only access to one project.' }),
    url: t.string({ description: 'Opens the project in the web client, read-only.', resolve: (link, _args, ctx) => urlOf(ctx, link) }),
    createdAt: t.field({ type: 'DateTime', resolve: (link) => link.createdAt }),
  }),
});

builder.objectField(ProjectRef, 'shareLinks', (t) =>
  t.field({
    type: [ShareLinkRef],
    description: 'Read-only links to this project (owner only).',
    resolve: (project, _args, ctx) => {
      if (ctx.share) throw new ForbiddenError("A share link cannot see the project's other links.");
      return ctx.services.shareLinks.list(ctx.requireUser().id, project.id);
    },
  }),
);

builder.queryField('sharedProject', (t) =>
  t.field({
    type: ProjectRef,
    nullable: true,
    description: "With a share token as the bearer: the project it opens (null with a user's token).",
    resolve: (_root, _args, ctx) => {
      if (ctx.share) return ctx.services.projects.find(ctx.share.ownerId, ctx.share.projectId);
      ctx.requireUser(); // a missing, bad or revoked token is UNAUTHENTICATED
      return null;
    },
  }),
);

builder.mutationField('createShareLink', (t) =>
  t.field({
    type: ShareLinkRef,
    args: { projectId: t.arg.id({ required: true }) },
    resolve: async (_root, { projectId }, ctx) => {
      const user = ctx.requireUser();
      const project = await ctx.services.projects.get(user.id, projectId);
      return ctx.services.shareLinks.create(user.id, project.id);
    },
  }),
);

builder.mutationField('revokeShareLink', (t) =>
  t.boolean({
    description: 'The link stops working at once, on open connections too.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const link = await ctx.services.shareLinks.revoke(ctx.requireUser().id, id);
      // Its open subscriptions end now, on every API instance (as a signOut's do).
      await ctx.services.sessions.ended(link.token);
      return true;
    },
  }),
);
