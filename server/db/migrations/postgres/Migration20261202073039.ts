import { Migration } from '@mikro-orm/migrations';

// Hand-edited: tokens issued before expiry existed get 30 days from their creation.
export class Migration20261202073039 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "auth_tokens" add column "expires_at" timestamptz null;`);
    this.addSql(`update "auth_tokens" set "expires_at" = "created_at" + interval '30 days';`);
    this.addSql(`alter table "auth_tokens" alter column "expires_at" set not null;`);
    this.addSql(`create index "auth_tokens_expires_at_index" on "auth_tokens" ("expires_at");`);

    this.addSql(`alter table "users" add column "is_admin" boolean not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "auth_tokens_expires_at_index";`);
    this.addSql(`alter table "auth_tokens" drop column "expires_at";`);

    this.addSql(`alter table "users" drop column "is_admin";`);
  }

}
