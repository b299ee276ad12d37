import { Migration } from '@mikro-orm/migrations';

export class Migration20261202104644 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "server_secrets" ("name" varchar(64) not null, "value" varchar(128) not null, "created_at" timestamptz not null, constraint "server_secrets_pkey" primary key ("name"));`);

    this.addSql(`create table "share_links" ("id" varchar(36) not null, "token_hash" varchar(64) not null, "project_id" varchar(36) not null, "owner_id" varchar(36) not null, "created_at" timestamptz not null, constraint "share_links_pkey" primary key ("id"));`);
    this.addSql(`alter table "share_links" add constraint "share_links_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "share_links_project_id_index" on "share_links" ("project_id");`);

    this.addSql(`alter table "tasks" add column "tokens_per_second" real null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "server_secrets" cascade;`);

    this.addSql(`drop table if exists "share_links" cascade;`);

    this.addSql(`alter table "tasks" drop column "tokens_per_second";`);
  }

}
