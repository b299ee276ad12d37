import { Migration } from '@mikro-orm/migrations';

export class Migration20261122191254 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "model_providers" ("id" varchar(36) not null, "name" varchar(64) not null, "kind" varchar(16) not null, "base_url" varchar(500) null, "api_key_env" varchar(128) not null, "model" varchar(128) not null, "active" boolean not null, "priority" int not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "model_providers_pkey" primary key ("id"));`);
    this.addSql(`alter table "model_providers" add constraint "model_providers_name_unique" unique ("name");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "model_providers" cascade;`);
  }

}
