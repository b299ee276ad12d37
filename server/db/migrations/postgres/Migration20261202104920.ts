import { Migration } from '@mikro-orm/migrations';

export class Migration20261202104920 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "stage_versions" ("id" varchar(36) not null, "project_id" varchar(36) not null, "owner_id" varchar(36) not null, "stage" varchar(32) not null, "source" varchar(8) not null, "instructions" text null, "task_id" varchar(36) null, "parent_id" varchar(36) null, "output" text not null, "content_hash" varchar(64) not null, "made_from" text not null, "cache_key" varchar(64) null, "current" boolean not null, "created_at" timestamptz not null, constraint "stage_versions_pkey" primary key ("id"));`);
    this.addSql(`create index "stage_versions_project_id_stage_created_at_index" on "stage_versions" ("project_id", "stage", "created_at");`);
    this.addSql(`create index "stage_versions_owner_id_stage_cache_key_index" on "stage_versions" ("owner_id", "stage", "cache_key");`);

    this.addSql(`alter table "tasks" add column "cache_policy" varchar(8) not null default 'REUSE', add column "cached" boolean not null default false, add column "refine" text null;`);

    // Every completed task so far becomes a RUN version; the newest of each stage is current.
    this.addSql(`insert into stage_versions (id, project_id, owner_id, stage, source, task_id, output, content_hash, made_from, current, created_at)
      select t.id, t.project_id, t.owner_id, t.stage, 'RUN', t.id, t.output, '', '{}',
        case when t.id = (select n.id from tasks n where n.project_id = t.project_id and n.stage = t.stage and n.status = 'COMPLETED'
          order by n.finished_at desc, n.id desc limit 1) then true else false end,
        coalesce(t.finished_at, t.created_at)
      from tasks t where t.status = 'COMPLETED' and t.output is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "stage_versions" cascade;`);

    this.addSql(`alter table "tasks" drop column "cache_policy", drop column "cached", drop column "refine";`);
  }

}
