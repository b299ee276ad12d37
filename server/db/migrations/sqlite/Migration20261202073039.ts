import { Migration } from '@mikro-orm/migrations';

// Hand-edited: SQLite cannot add a NOT NULL column without a default, so auth_tokens is
// rebuilt; tokens issued before expiry existed get 30 days from their creation
// (datetimes are epoch milliseconds here).
export class Migration20261202073039 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`auth_tokens_new\` (\`token_hash\` text not null, \`user_id\` text not null, \`created_at\` datetime not null, \`expires_at\` datetime not null, primary key (\`token_hash\`));`);
    this.addSql(`insert into \`auth_tokens_new\` (\`token_hash\`, \`user_id\`, \`created_at\`, \`expires_at\`) select \`token_hash\`, \`user_id\`, \`created_at\`, \`created_at\` + 2592000000 from \`auth_tokens\`;`);
    this.addSql(`drop table \`auth_tokens\`;`);
    this.addSql(`alter table \`auth_tokens_new\` rename to \`auth_tokens\`;`);
    this.addSql(`create index \`auth_tokens_user_id_index\` on \`auth_tokens\` (\`user_id\`);`);
    this.addSql(`create index \`auth_tokens_expires_at_index\` on \`auth_tokens\` (\`expires_at\`);`);

    this.addSql(`alter table \`users\` add column \`is_admin\` integer not null default false;`);
  }

}
