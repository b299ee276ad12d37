import { Migration } from '@mikro-orm/migrations';

export class Migration20261202073233 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "media_files" ("key" varchar(64) not null, "task_id" varchar(36) not null, "created_at" timestamptz not null, constraint "media_files_pkey" primary key ("key"));`);
    this.addSql(`create index "media_files_task_id_index" on "media_files" ("task_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "media_files" cascade;`);
  }

}
