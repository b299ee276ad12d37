import { Migration } from '@mikro-orm/migrations';

export class Migration20261122184902 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "auth_tokens" ("token_hash" varchar(64) not null, "user_id" varchar(36) not null, "created_at" timestamptz not null, constraint "auth_tokens_pkey" primary key ("token_hash"));`);
    this.addSql(`create index "auth_tokens_user_id_index" on "auth_tokens" ("user_id");`);

    this.addSql(`create table "credit_ledger" ("id" varchar(36) not null, "user_id" varchar(36) not null, "task_id" varchar(36) null, "delta" int not null, "reason" varchar(32) not null, "created_at" timestamptz not null, constraint "credit_ledger_pkey" primary key ("id"));`);
    this.addSql(`create index "credit_ledger_user_id_index" on "credit_ledger" ("user_id");`);
    this.addSql(`alter table "credit_ledger" add constraint "credit_ledger_task_id_reason_unique" unique ("task_id", "reason");`);

    this.addSql(`create table "idempotency_keys" ("user_id" varchar(36) not null, "key" varchar(200) not null, "task_id" varchar(36) not null, "request_hash" varchar(64) not null, "created_at" timestamptz not null, constraint "idempotency_keys_pkey" primary key ("user_id", "key"));`);

    this.addSql(`create table "projects" ("id" varchar(36) not null, "owner_id" varchar(36) not null, "name" varchar(200) not null, "original_topic" text null, "original_text" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "projects_pkey" primary key ("id"));`);
    this.addSql(`create index "projects_owner_id_index" on "projects" ("owner_id");`);

    this.addSql(`create table "tasks" ("id" varchar(36) not null, "project_id" varchar(36) not null, "owner_id" varchar(36) not null, "stage" varchar(32) not null, "status" varchar(16) not null, "active_key" varchar(80) null, "input" text not null, "attempt" int not null, "max_attempts" int not null, "progress" int not null, "message" text null, "text" text null, "output" text null, "error" text null, "tokens_used" int null, "credits_charged" int not null, "last_seq" int not null, "provider" varchar(64) null, "model" varchar(128) null, "created_at" timestamptz not null, "started_at" timestamptz null, "finished_at" timestamptz null, "processing_time_ms" int null, "archived_at" timestamptz null, constraint "tasks_pkey" primary key ("id"));`);
    this.addSql(`create index "tasks_owner_id_index" on "tasks" ("owner_id");`);
    this.addSql(`alter table "tasks" add constraint "tasks_active_key_unique" unique ("active_key");`);
    this.addSql(`create index "tasks_project_id_stage_created_at_index" on "tasks" ("project_id", "stage", "created_at");`);
    this.addSql(`create index "tasks_status_created_at_index" on "tasks" ("status", "created_at");`);

    this.addSql(`create table "task_events" ("task_id" varchar(36) not null, "seq" int not null, "payload" text not null, constraint "task_events_pkey" primary key ("task_id", "seq"));`);

    this.addSql(`create table "users" ("id" varchar(36) not null, "email" varchar(254) not null, "password_hash" varchar(200) not null, "credits" int not null, "created_at" timestamptz not null, constraint "users_pkey" primary key ("id"));`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "auth_tokens" cascade;`);

    this.addSql(`drop table if exists "credit_ledger" cascade;`);

    this.addSql(`drop table if exists "idempotency_keys" cascade;`);

    this.addSql(`drop table if exists "projects" cascade;`);

    this.addSql(`drop table if exists "tasks" cascade;`);

    this.addSql(`drop table if exists "task_events" cascade;`);

    this.addSql(`drop table if exists "users" cascade;`);
  }

}
