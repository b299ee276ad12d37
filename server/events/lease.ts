// Who may write to a task's log. A worker's attempt holds a lease (its BullMQ job token):
// a takeover replaces it, so a worker that lost its job can no longer append. The API and
// the sweep act on their own authority (cancel, repair) and may end a task whoever holds it.
export type AttemptLease = { readonly holder: 'attempt'; readonly token: string };
export type AuthorityLease = { readonly holder: 'authority' };
export type Lease = AttemptLease | AuthorityLease;

export const AUTHORITY: AuthorityLease = { holder: 'authority' };

export const attemptLease = (token: string): AttemptLease => ({ holder: 'attempt', token });

/** The lease as the Lua scripts read it: '*' is the authority (a job token never is). */
export const leaseArg = (lease: Lease): string => (lease.holder === 'authority' ? '*' : lease.token);
