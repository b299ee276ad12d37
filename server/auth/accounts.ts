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
  /** The user a token belongs to, or null. */
  authenticate(token: string): Promise<UserRow | null>;
  getUser(id: string): Promise<UserRow>;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

function validateSignUp({ email, password }: Credentials): string {
  const normalised = normaliseEmail(email);
  if (normalised.length === 0) throw new BadInputError('input.email', 'is required');
  if (normalised.length > 254) throw new BadInputError('input.email', 'must be at most 254 characters');
  if (!EMAIL.test(normalised)) throw new BadInputError('input.email', 'must be an email address such as name@example.com');
  if (password.length < 8) throw new BadInputError('input.password', 'must be at least 8 characters');
  if (password.length > 200) throw new BadInputError('input.password', 'must be at most 200 characters');
  return normalised;
}

export function createAccounts(deps: { orm: MikroORM; initialCredits: number }): Accounts {
  const { orm, initialCredits } = deps;

  async function issueToken(userId: string): Promise<string> {
    const token = newToken();
    await orm.em.fork().insert(AuthToken, { tokenHash: hashToken(token), userId, createdAt: new Date() });
    return token;
  }

  return {
    async signUp(input) {
      const email = validateSignUp(input);
      const passwordHash = await hashPassword(input.password);
      const now = new Date();
      const user: UserRow = { id: randomUUID(), email, passwordHash, credits: initialCredits, createdAt: now };
      try {
        await orm.em.fork().transactional(async (em) => {
          await em.insert(User, user);
          await em.insert(CreditEntry, {
            id: randomUUID(),
            userId: user.id,
            taskId: null,
            delta: initialCredits,
            reason: 'signup',
            createdAt: now,
          });
        });
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) {
          throw new ConflictError('An account with this email already exists; sign in instead.');
        }
        throw err;
      }
      return { token: await issueToken(user.id), user };
    },

    async signIn({ email, password }) {
      const user = await orm.em.fork().findOne(User, { email: normaliseEmail(email) });
      // The same message whether the email is unknown or the password is wrong,
      // so sign-in cannot be used to find out who has an account.
      if (!user || !(await verifyPassword(password, user.passwordHash))) {
        throw new UnauthenticatedError('The email or the password is wrong.');
      }
      return { token: await issueToken(user.id), user };
    },

    async signOut(token) {
      await orm.em.fork().nativeDelete(AuthToken, { tokenHash: hashToken(token) });
    },

    async authenticate(token) {
      const em = orm.em.fork();
      const row = await em.findOne(AuthToken, { tokenHash: hashToken(token) });
      if (!row) return null;
      return em.findOne(User, { id: row.userId });
    },

    async getUser(id) {
      const user = await orm.em.fork().findOne(User, { id });
      if (!user) throw new UnauthenticatedError();
      return user;
    },
  };
}
