/**
 * Interface text in English and Simplified Chinese. `{name}` placeholders are filled
 * by `t()`. Chinese stage names are fixed by the product: 文案改写, 分镜生成, 文生图,
 * 运镜生成, 图生视频.
 */
import { VERSIONS_EN, VERSIONS_ZH } from './messages-versions.ts';

const en = {
  'app.name': 'Story Pipeline',
  'app.tagline': 'From a topic or a text to a short video, in five live stages.',
  'nav.projects': 'Projects',
  'nav.skip': 'Skip to content',
  'lang.label': 'Language',

  'auth.signIn': 'Sign in',
  'auth.signUp': 'Create account',
  'auth.email': 'Email',
  'auth.password': 'Password',
  'auth.passwordHintSignUp': 'Choose a password you do not use elsewhere.',
  'auth.submitSignIn': 'Sign in',
  'auth.submitSignUp': 'Create account',
  'auth.working': 'Please wait…',
  'auth.signOut': 'Sign out',
  'auth.modeLabel': 'Account',
  'auth.expired': 'Your session has ended. Please sign in again.',

  'credits.label': 'Credits',
  'credits.value': '{n, plural, one {# credit} other {# credits}}',

  'conn.label': 'Live updates',
  'conn.idle': 'Standby',
  'conn.connecting': 'Connecting…',
  'conn.online.ws': 'Live',
  'conn.online.sse': 'Live (SSE)',
  'conn.online.polling': 'Live (polling)',
  'conn.reconnecting': 'Reconnecting…',
  'conn.offline': 'Offline, retrying',
  'conn.mode.ws': 'WebSocket',
  'conn.mode.sse': 'Server-sent events',
  'conn.mode.polling': 'Polling',

  'projects.title': 'Projects',
  'projects.empty': 'No projects yet. Create one to start your first story.',
  'projects.loading': 'Loading projects…',
  'projects.created': 'Created {date}',
  'projects.open': 'Open',
  'projects.delete': 'Delete',
  'projects.confirmDelete': 'Delete “{name}”?',
  'projects.confirm': 'Delete',
  'projects.cancel': 'Keep',
  'projects.deleted': 'Project deleted.',
  'projects.stagesSummary': 'Stage status',

  'create.title': 'New project',
  'create.name': 'Name',
  'create.namePlaceholder': 'e.g. The lighthouse keeper',
  'create.source': 'Start from',
  'create.sourceTopic': 'A topic',
  'create.sourceText': 'My own text',
  'create.topic': 'Topic',
  'create.topicPlaceholder': 'e.g. A cat who learns to sail',
  'create.text': 'Text',
  'create.textPlaceholder': 'Paste the story to turn into a video…',
  'create.submit': 'Create project',
  'create.working': 'Creating…',

  'project.back': 'All projects',
  'project.loading': 'Loading project…',
  'project.notFound': 'This project does not exist, or it is not yours.',
  'project.topic': 'Topic',
  'project.text': 'Source text',
  'project.runPipeline': 'Run pipeline',
  'project.runFrom': 'From stage',
  'project.pipelineCost': '{n, plural, one {Up to # credit} other {Up to # credits}}',
  'project.graph': 'Pipeline stages',
  'project.dismiss': 'Dismiss',

  'stage.REWRITE': 'Rewrite',
  'stage.STORYBOARD': 'Storyboard',
  'stage.IMAGE_GENERATION': 'Image generation',
  'stage.CAMERA_MOVEMENT': 'Camera movement',
  'stage.VIDEO_GENERATION': 'Video generation',
  'stage.dependsOn': 'Needs: {list}',
  'stage.noDependencies': 'Starts from the project’s topic or text',
  'stage.run': 'Run',
  'stage.rerun': 'Re-run',
  'stage.cancel': 'Cancel',
  'stage.cost': '{n, plural, one {# credit} other {# credits}}',
  'stage.needsDeps': 'Run the stages it needs first.',
  'stage.options': 'Options',
  'stage.streaming': 'Live output',
  'stage.rawOutput': 'Model output as streamed',
  'stage.waiting': 'Waiting for the model…',
  'stage.attempt': 'Attempt {n} of {max}',
  'stage.attemptOnly': 'Attempt {n}',
  'stage.step': 'Step {step} of {total}',
  'stage.eta': 'about {t} left',
  'stage.progress': 'Progress',
  'stage.error.retrying': 'Will retry in {t}.',
  'stage.error.retryingSoon': 'Will retry.',
  'stage.error.final': 'Will not retry.',
  'stage.error.title': 'Failed',
  'stage.error.attemptFailed': 'Attempt failed',

  'status.IDLE': 'Not run',
  'status.QUEUED': 'Queued',
  'status.RUNNING': 'Running',
  'status.RETRYING': 'Retrying',
  'status.COMPLETED': 'Completed',
  'status.FAILED': 'Failed',
  'status.CANCELLED': 'Cancelled',

  'opt.style': 'Style',
  'opt.stylePlaceholder': 'e.g. warm, for children',
  'opt.instructions': 'Instructions',
  'opt.sceneCount': 'Scenes',
  'opt.size': 'Image size',
  'opt.cameraStyle': 'Camera style',
  'opt.cameraStylePlaceholder': 'e.g. slow, cinematic',
  'opt.secondsPerClip': 'Seconds per clip',

  'out.scene': 'Scene {n}',
  'out.seconds': '{n} s',
  'out.visualPrompt': 'Visual',
  'out.openImage': 'Open full image of scene {n}',
  'out.empty': 'No output yet.',
  'out.previous': 'Output of the last completed run',

  'time.seconds': '{n} s',
  'time.minutes': '{m} min {s} s',

  'error.UNAUTHENTICATED': 'Please sign in again.',
  'error.NOT_FOUND': 'Not found.',
  'error.BAD_USER_INPUT': 'Please check your input.',
  'error.PRECONDITION_FAILED': 'The stages this one needs have no output yet.',
  'error.INSUFFICIENT_CREDITS': 'Not enough credits.',
  'error.CONFLICT': 'That conflicts with the current state.',
  'error.RATE_LIMITED': 'Too many requests. Please wait a moment.',
  'error.GRAPHQL_VALIDATION_FAILED': 'The request was not valid.',
  'error.SERVICE_UNAVAILABLE': 'The service is briefly unavailable. Please try again.',
  'error.INTERNAL_SERVER_ERROR': 'Something went wrong on the server.',
  'error.network': 'Cannot reach the server.',
  'error.unknown': 'Something went wrong.',

  // Watching a run (speed, ETA, step log) and share links.
  'rate.tokensPerSecond': '{n} tokens/s',
  'pipeline.eta': 'Whole run: about {t} left',
  'steplog.title': 'Step log',
  'steplog.empty': 'Nothing yet.',
  'steplog.attempt': 'attempt {n}',
  'steplog.retryIn': 'will retry in {t}',
  'share.title': 'Share links',
  'share.hint': 'Anyone with a link can watch this project live, without signing in; they cannot change anything.',
  'share.create': 'Create a read-only link',
  'share.copy': 'Copy link',
  'share.copied': 'Copied',
  'share.revoke': 'Revoke',
  'share.none': 'No links yet.',
  'share.created': 'Created {when}',
  'share.count': '{n, plural, one {# link} other {# links}}',
  'share.badge': 'Read-only view',
  'share.viewing': 'You are watching a shared project. It updates live; nothing can be changed from here.',
  'share.invalid': 'This link does not work (any more). Ask the person who shared it for a new one.',
  'share.signIn': 'Sign in to make your own',
  'error.FORBIDDEN': 'You are not allowed to do that.',
  'error.needsMaterial': 'Write a topic or paste a text first.',
  'error.needsStage': 'Run {stage} first.',
  'error.insufficientCredits': 'This costs {cost}; you have {balance}.',
  'error.alreadyRunning': '{stages} is still running: wait for it or cancel it first.',
  'error.readOnly': 'This is a read-only link: sign in to change anything.',
  'error.tooLong': 'That text is too long.',
  'create.needsName': 'Give the project a name.',
  ...VERSIONS_EN,
} as const;

export type MessageKey = keyof typeof en;

const zhCN: Record<MessageKey, string> = {
  'app.name': '故事流水线',
  'app.tagline': '从一个主题或一段文字，到一段短视频：五个阶段，实时呈现。',
  'nav.projects': '项目',
  'nav.skip': '跳到正文',
  'lang.label': '语言',

  'auth.signIn': '登录',
  'auth.signUp': '注册',
  'auth.email': '邮箱',
  'auth.password': '密码',
  'auth.passwordHintSignUp': '请使用未在别处用过的密码。',
  'auth.submitSignIn': '登录',
  'auth.submitSignUp': '创建账号',
  'auth.working': '请稍候…',
  'auth.signOut': '退出登录',
  'auth.modeLabel': '账号',
  'auth.expired': '登录已失效，请重新登录。',

  'credits.label': '点数',
  'credits.value': '{n} 点',

  'conn.label': '实时更新',
  'conn.idle': '待机',
  'conn.connecting': '正在连接…',
  'conn.online.ws': '实时',
  'conn.online.sse': '实时（SSE）',
  'conn.online.polling': '实时（轮询）',
  'conn.reconnecting': '正在重新连接…',
  'conn.offline': '离线，正在重试',
  'conn.mode.ws': 'WebSocket',
  'conn.mode.sse': '服务器推送事件',
  'conn.mode.polling': '轮询',

  'projects.title': '项目',
  'projects.empty': '还没有项目。新建一个，开始你的第一个故事。',
  'projects.loading': '正在加载项目…',
  'projects.created': '创建于 {date}',
  'projects.open': '打开',
  'projects.delete': '删除',
  'projects.confirmDelete': '删除“{name}”？',
  'projects.confirm': '删除',
  'projects.cancel': '保留',
  'projects.deleted': '项目已删除。',
  'projects.stagesSummary': '各阶段状态',

  'create.title': '新建项目',
  'create.name': '名称',
  'create.namePlaceholder': '例如：灯塔看守人',
  'create.source': '起点',
  'create.sourceTopic': '一个主题',
  'create.sourceText': '我自己的文字',
  'create.topic': '主题',
  'create.topicPlaceholder': '例如：一只学会航海的猫',
  'create.text': '文字',
  'create.textPlaceholder': '粘贴要做成视频的故事…',
  'create.submit': '创建项目',
  'create.working': '正在创建…',

  'project.back': '全部项目',
  'project.loading': '正在加载项目…',
  'project.notFound': '该项目不存在，或不属于你。',
  'project.topic': '主题',
  'project.text': '原文',
  'project.runPipeline': '运行流水线',
  'project.runFrom': '起始阶段',
  'project.pipelineCost': '最多 {n} 点',
  'project.graph': '流水线各阶段',
  'project.dismiss': '关闭',

  'stage.REWRITE': '文案改写',
  'stage.STORYBOARD': '分镜生成',
  'stage.IMAGE_GENERATION': '文生图',
  'stage.CAMERA_MOVEMENT': '运镜生成',
  'stage.VIDEO_GENERATION': '图生视频',
  'stage.dependsOn': '依赖：{list}',
  'stage.noDependencies': '从项目的主题或文字开始',
  'stage.run': '运行',
  'stage.rerun': '重新运行',
  'stage.cancel': '取消',
  'stage.cost': '{n} 点',
  'stage.needsDeps': '请先运行它依赖的阶段。',
  'stage.options': '选项',
  'stage.streaming': '实时输出',
  'stage.rawOutput': '模型的流式原文',
  'stage.waiting': '等待模型输出…',
  'stage.attempt': '第 {n} 次尝试（共 {max} 次）',
  'stage.attemptOnly': '第 {n} 次尝试',
  'stage.step': '第 {step} / {total} 步',
  'stage.eta': '预计还需 {t}',
  'stage.progress': '进度',
  'stage.error.retrying': '将在 {t} 后重试。',
  'stage.error.retryingSoon': '将自动重试。',
  'stage.error.final': '不会再重试。',
  'stage.error.title': '失败',
  'stage.error.attemptFailed': '本次尝试失败',

  'status.IDLE': '未运行',
  'status.QUEUED': '排队中',
  'status.RUNNING': '运行中',
  'status.RETRYING': '重试中',
  'status.COMPLETED': '已完成',
  'status.FAILED': '失败',
  'status.CANCELLED': '已取消',

  'opt.style': '风格',
  'opt.stylePlaceholder': '例如：温暖，适合儿童',
  'opt.instructions': '附加要求',
  'opt.sceneCount': '分镜数',
  'opt.size': '图片尺寸',
  'opt.cameraStyle': '运镜风格',
  'opt.cameraStylePlaceholder': '例如：舒缓，电影感',
  'opt.secondsPerClip': '每段秒数',

  'out.scene': '第 {n} 幕',
  'out.seconds': '{n} 秒',
  'out.visualPrompt': '画面',
  'out.openImage': '查看第 {n} 幕的大图',
  'out.empty': '暂无输出。',
  'out.previous': '上一次成功运行的输出',

  'time.seconds': '{n} 秒',
  'time.minutes': '{m} 分 {s} 秒',

  'error.UNAUTHENTICATED': '请重新登录。',
  'error.NOT_FOUND': '未找到。',
  'error.BAD_USER_INPUT': '请检查输入。',
  'error.PRECONDITION_FAILED': '它依赖的阶段还没有输出。',
  'error.INSUFFICIENT_CREDITS': '点数不足。',
  'error.CONFLICT': '与当前状态冲突。',
  'error.RATE_LIMITED': '请求过于频繁，请稍后再试。',
  'error.GRAPHQL_VALIDATION_FAILED': '请求无效。',
  'error.SERVICE_UNAVAILABLE': '服务暂时不可用，请重试。',
  'error.INTERNAL_SERVER_ERROR': '服务器出错了。',
  'error.network': '无法连接服务器。',
  'error.unknown': '出错了。',

  'rate.tokensPerSecond': '每秒 {n} 个词元',
  'pipeline.eta': '整个流程预计还需 {t}',
  'steplog.title': '步骤日志',
  'steplog.empty': '暂无记录。',
  'steplog.attempt': '第 {n} 次尝试',
  'steplog.retryIn': '{t} 后重试',
  'share.title': '分享链接',
  'share.hint': '拿到链接的人无需登录即可实时观看本项目，但不能做任何修改。',
  'share.create': '创建只读链接',
  'share.copy': '复制链接',
  'share.copied': '已复制',
  'share.revoke': '撤销',
  'share.none': '还没有链接。',
  'share.created': '创建于 {when}',
  'share.count': '{n} 个链接',
  'share.badge': '只读视图',
  'share.viewing': '你正在观看一个分享的项目，内容实时更新；在这里不能做任何修改。',
  'share.invalid': '此链接已失效。请向分享者索取新的链接。',
  'share.signIn': '登录以创建自己的项目',
  'error.FORBIDDEN': '你没有权限执行此操作。',
  'error.needsMaterial': '请先写一个主题或粘贴一段文字。',
  'error.needsStage': '请先运行“{stage}”。',
  'error.insufficientCredits': '此操作需要 {cost}，你现有 {balance}。',
  'error.alreadyRunning': '“{stages}”仍在运行：请等待它完成或先取消。',
  'error.readOnly': '这是只读链接：请登录后再修改。',
  'error.tooLong': '文字太长了。',
  'create.needsName': '请给项目起个名字。',
  ...VERSIONS_ZH,
};

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

export const MESSAGES: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

/** Names of the languages, each in its own language, for the switch. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', 'zh-CN': '简体中文' };

/** Short forms for narrow screens. */
export const LOCALE_SHORT_NAMES: Record<Locale, string> = { en: 'EN', 'zh-CN': '中文' };

/** A number as the interface language writes it (grouping, at most one decimal). */
export function formatNumber(n: number, locale: Locale = 'en'): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(n);
}

const PLURAL = /\{(\w+), plural, ((?:\w+ \{[^{}]*\}\s*)+)\}/g;

/**
 * Fills `{name}` placeholders (numbers formatted for `locale`) and ICU-style plurals:
 * `{n, plural, one {# credit} other {# credits}}` picks the form by the language's plural
 * rules (Intl.PluralRules), `#` being the number.
 */
export function format(template: string, params?: Record<string, string | number>, locale: Locale = 'en'): string {
  if (!params) return template;
  const shown = (value: string | number) => (typeof value === 'number' ? formatNumber(value, locale) : value);
  return template
    .replace(PLURAL, (match, name: string, cases: string) => {
      if (!(name in params)) return match;
      const n = Number(params[name]);
      const forms = Object.fromEntries([...cases.matchAll(/(\w+) \{([^{}]*)\}/g)].map((m) => [m[1], m[2]]));
      const form = forms[new Intl.PluralRules(locale).select(n)] ?? forms.other ?? '';
      return form.replace(/#/g, shown(n));
    })
    .replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? shown(params[name]!) : match));
}

/** The locale for a `navigator.language` value: any Chinese gets Simplified Chinese. */
export function matchLocale(language: string | undefined | null): Locale {
  return language && /^zh\b/i.test(language) ? 'zh-CN' : 'en';
}
