import { Migration } from '@mikro-orm/migrations';

export class Migration20261122191254 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`model_providers\` (\`id\` text not null, \`name\` text not null, \`kind\` text not null, \`base_url\` text null, \`api_key_env\` text not null, \`model\` text not null, \`active\` integer not null, \`priority\` integer not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`model_providers_name_unique\` on \`model_providers\` (\`name\`);`);
  }

}
