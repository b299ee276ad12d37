import { Migration } from '@mikro-orm/migrations';

export class Migration20261122190953 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`tasks\` add column \`pipeline_id\` text null;`);
    this.addSql(`alter table \`tasks\` add column \`waiting_on\` text null;`);
    this.addSql(`create index \`tasks_pipeline_id_index\` on \`tasks\` (\`pipeline_id\`);`);
  }

}
