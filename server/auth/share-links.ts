// Read-only links to one project. A link's token is 256 bits: the HMAC-SHA256 of the link's
// random id under a server secret, so the owner's list can show it again while the database
// stores only its SHA-256, like a session token's (the share_links table alone yields no usable token).
// The secret is SHARE_LINK_SECRET when set (so a database leak alone yields no token), else
// one made on first start and kept in the database, shared by every instance.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/core';
import { Project, ServerSecret, ShareLink, type ShareLinkRow } from '../db/entities.ts';
import { NotFoundError } from '../errors.ts';
import { hashToken } from './tokens.ts';

/** What a share token opens: one project of one owner, read-only. */
export interface ShareGrant {
  linkId: string;
  projectId: string;
  ownerId: string;
}

export interface ShareLinkView {
  id: string;
  projectId: string;
  token: string;
  createdAt: Date;
}

export interface ShareLinks {
  create(ownerId: string, projectId: string): Promise<ShareLinkView>;
  /** The project's links, newest first. */
  list(ownerId: string, projectId: string): Promise<ShareLinkView[]>;
  /** Deletes the link; its token stops working. NOT_FOUND unless it is one of the owner's. */
  revoke(ownerId: string, id: string): Promise<ShareLinkView>;
  /** What a bearer token opens, or null when it is no live share token (its project deleted too). */
  resolve(token: string): Promise<ShareGrant | null>;
}

const SECRET_NAME = 'share-links';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createShareLinks(deps: { orm: MikroORM; secret?: string }): ShareLinks {
  const em = () => deps.orm.em.fork();
  let secret: Promise<string> | null = deps.secret ? Promise.resolve(deps.secret) : null;

  /** The secret, made by whichever instance asks first; the others read that one. */
  const loadSecret = async (): Promise<string> => {
    const found = await em().findOne(ServerSecret, { name: SECRET_NAME });
    if (found) return found.value;
    try {
      await em().insert(ServerSecret, { name: SECRET_NAME, value: randomBytes(32).toString('hex'), createdAt: new Date() });
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
    }
    return (await em().findOneOrFail(ServerSecret, { name: SECRET_NAME })).value;
  };
  const tokenOf = async (id: string) => {
    secret ??= loadSecret().catch((err) => {
      secret = null; // an outage now must not break every later call
      throw err;
    });
    return createHmac('sha256', await secret).update(id).digest('base64url');
  };
  const view = async (row: ShareLinkRow): Promise<ShareLinkView> => ({ id: row.id, projectId: row.projectId, token: await tokenOf(row.id), createdAt: row.createdAt });

  return {
    async create(ownerId, projectId) {
      const id = randomUUID();
      const row: ShareLinkRow = { id, tokenHash: hashToken(await tokenOf(id)), projectId, ownerId, createdAt: new Date() };
      await em().insert(ShareLink, row);
      return view(row);
    },
    async list(ownerId, projectId) {
      const rows = await em().find(ShareLink, { ownerId, projectId }, { orderBy: { createdAt: 'desc', id: 'desc' } });
      return Promise.all(rows.map(view));
    },
    async revoke(ownerId, id) {
      const row = UUID.test(id) ? await em().findOne(ShareLink, { id, ownerId }) : null;
      if (!row) throw new NotFoundError('ShareLink', id);
      await em().nativeDelete(ShareLink, { id, ownerId });
      return view(row);
    },
    async resolve(token) {
      const row = await em().findOne(ShareLink, { tokenHash: hashToken(token) });
      if (!row) return null;
      const project = await em().findOne(Project, { id: row.projectId, ownerId: row.ownerId }, { fields: ['id'] });
      return project ? { linkId: row.id, projectId: row.projectId, ownerId: row.ownerId } : null;
    },
  };
}
