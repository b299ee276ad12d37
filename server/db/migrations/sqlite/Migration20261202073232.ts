import { Migration } from '@mikro-orm/migrations';

export class Migration20261202073232 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`media_files\` (\`key\` text not null, \`task_id\` text not null, \`created_at\` datetime not null, primary key (\`key\`));`);
    this.addSql(`create index \`media_files_task_id_index\` on \`media_files\` (\`task_id\`);`);
  }

}
