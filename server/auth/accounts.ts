// Accounts and sessions. A session is a bearer token (256 random bits, only its SHA-256
// stored) that expires when unused for the session TTL (sliding) and can be ended at once.
// Nobody becomes an administrator by signing up: an operator grants it (`npm run admin`).
import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/core';
import { AuthToken, CreditEntry, User, type UserRow } from '../db/entities.ts';
import { BadInputError, ConflictError, UnauthenticatedError } from '../errors.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { hashToken, newToken } from './tokens.ts';

export interface Credentials {
  email: string;
  password: string;
}

export interface Accounts {
  signUp(input: Credentials): Promise<{ token: string; user: UserRow }>;
  signIn(input: Credentials): Promise<{ token: string; user: UserRow }>;
  /** Ends the session of this token: it stops working everywhere. */
  signOut(token: string): Promise<void>;
  /** The user a live token belongs to, or null; using a token moves its expiry forward. */
  authenticate(token: string): Promise<UserRow | null>;
  getUser(id: string): Promise<UserRow>;
  /** Grants or takes administrator rights (the operator's command); false when no account has this email. */
  setAdmin(email: string, isAdmin: boolean): Promise<boolean>;
  admins(): Promise<UserRow[]>;
  /** Deletes expired sessions; returns how many. */
  pruneSessions(): Promise<number>;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_EMAIL = 254;
const MIN_PASSWORD = 8;
const MAX_PASSWORD = 200;
/** A token's expiry is written at most this often, so a busy session costs no write per request. */
const SLIDE_EVERY_MS = 60_000;

export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/** Length checks come before anything expensive (scrypt), on sign-in too. */
function validateCredentials({ email, password }: Credentials, signingUp: boolean): string {
  if (email.length > MAX_EMAIL * 2) throw new BadInputError('input.email', `must be at most ${MAX_EMAIL} characters`);
  const normalised = normaliseEmail(email);
  if (normalised.length === 0) throw new BadInputError('input.email', 'is required');
  if (normalised.length > MAX_EMAIL) throw new BadInputError('input.email', `must be at most ${MAX_EMAIL} characters`);
  if (password.length > MAX_PASSWORD) throw new BadInputError('input.password', `must be at most ${MAX_PASSWORD} characters`);
  if (signingUp) {
    if (!EMAIL.test(normalised)) throw new BadInputError('input.email', 'must be an email address such as name@example.com');
    if (password.length < MIN_PASSWORD) throw new BadInputError('input.password', `must be at least ${MIN_PASSWORD} characters`);
  }
  return normalised;
}

export function createAccounts(deps: { orm: MikroORM; initialCredits: number; sessionTtlMs: number }): Accounts {
  const { orm, initialCredits, sessionTtlMs } = deps;
  const em = () => orm.em.fork();

  async function issueToken(userId: string): Promise<string> {
    const token = newToken();
    const now = new Date();
    await em().insert(AuthToken, { tokenHash: hashToken(token), userId, createdAt: now, expiresAt: new Date(now.getTime() + sessionTtlMs) });
    return token;
  }

  return {
    async signUp(input) {
      const email = validateCredentials(input, true);
      const passwordHash = await hashPassword(input.password);
      const now = new Date();
      const user: UserRow = { id: randomUUID(), email, passwordHash, credits: initialCredits, isAdmin: false, createdAt: now };
      try {
        await em().transactional(async (tx) => {
          await tx.insert(User, user);
          if (initialCredits > 0) {
            await tx.insert(CreditEntry, { id: randomUUID(), userId: user.id, taskId: null, delta: initialCredits, reason: 'signup', createdAt: now });
          }
        });
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) {
          throw new ConflictError('An account with this email already exists; sign in instead.');
        }
        throw err;
      }
      return { token: await issueToken(user.id), user };
    },

    async signIn(input) {
      const email = validateCredentials(input, false);
      const user = await em().findOne(User, { email });
      // The same message whether the email is unknown or the password is wrong,
      // so sign-in cannot be used to find out who has an account.
      if (!user || !(await verifyPassword(input.password, user.passwordHash))) {
        throw new UnauthenticatedError('The email or the password is wrong.');
      }
      return { token: await issueToken(user.id), user };
    },

    async signOut(token) {
      await em().nativeDelete(AuthToken, { tokenHash: hashToken(token) });
    },

    async authenticate(token) {
      const tokenHash = hashToken(token);
      const now = Date.now();
      const row = await em().findOne(AuthToken, { tokenHash, expiresAt: { $gt: new Date(now) } });
      if (!row) return null;
      if (row.expiresAt.getTime() - (now + sessionTtlMs) < -SLIDE_EVERY_MS) {
        await em().nativeUpdate(AuthToken, { tokenHash }, { expiresAt: new Date(now + sessionTtlMs) });
      }
      const user = await em().findOne(User, { id: row.userId });
      // A plain copy: the entity would keep its EntityManager (identity map and all) alive for
      // as long as the request's context, which for a subscription is as long as it is open.
      return user && { ...user };
    },

    async getUser(id) {
      const user = await em().findOne(User, { id });
      if (!user) throw new UnauthenticatedError();
      return user;
    },

    async setAdmin(email, isAdmin) {
      return (await em().nativeUpdate(User, { email: normaliseEmail(email) }, { isAdmin })) > 0;
    },

    admins: () => em().find(User, { isAdmin: true }, { orderBy: { email: 'asc' } }),

    pruneSessions: () => em().nativeDelete(AuthToken, { expiresAt: { $lte: new Date() } }),
  };
}
