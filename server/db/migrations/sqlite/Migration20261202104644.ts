import { Migration } from '@mikro-orm/migrations';

export class Migration20261202104644 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`server_secrets\` (\`name\` text not null, \`value\` text not null, \`created_at\` datetime not null, primary key (\`name\`));`);

    this.addSql(`create table \`share_links\` (\`id\` text not null, \`token_hash\` text not null, \`project_id\` text not null, \`owner_id\` text not null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`share_links_token_hash_unique\` on \`share_links\` (\`token_hash\`);`);
    this.addSql(`create index \`share_links_project_id_index\` on \`share_links\` (\`project_id\`);`);

    this.addSql(`alter table \`tasks\` add column \`tokens_per_second\` real null;`);
  }

}
