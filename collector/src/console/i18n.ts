/**
 * The console's words, Vietnamese (default) and English. Numbers, times and the collector's
 * own reasons are formatted as the appendix report formats them (one place: report/i18n.ts);
 * reason codes are rendered by the protocol's catalogue.
 */
import { REASONS, renderReason, type Reason } from '@posture/protocol';
import { percent as reportPercent, reason as reportReason, when as reportWhen } from '../report/i18n.js';

export type Lang = 'vi' | 'en';
export const LANGS: readonly Lang[] = ['vi', 'en'];

const vi = {
  product: 'Posture — Bảng điều khiển an toàn thông tin',
  overview: 'Tổng quan', units: 'Đơn vị', systems: 'Danh mục hệ thống', alerts: 'Cảnh báo', admin: 'Quản trị',
  signIn: 'Đăng nhập', signOut: 'Đăng xuất', token: 'Mã truy cập API (API token)',
  signInHelp: 'Dùng mã truy cập quản trị (admin) hoặc chỉ xem (viewer) đã được cấp bằng "posture tokens create".',
  signInFailed: 'Mã truy cập không hợp lệ, đã bị thu hồi hoặc hết hạn.',
  signedInAs: 'Đăng nhập với', roleAdmin: 'quản trị', roleViewer: 'chỉ xem',
  evaluatedAt: 'Số liệu của lần đánh giá lúc', indicator: 'Chỉ tiêu', target: 'Mục tiêu', actual: 'Thực tế', result: 'Kết quả',
  met: 'Đạt', notMet: 'Chưa đạt', noData: 'Chưa có dữ liệu', ministry: 'Toàn Bộ', unit: 'Đơn vị', trend: 'Xu hướng (14 ngày)',
  due: 'Thời hạn', overdue: 'quá hạn', belowTarget: 'Dưới mục tiêu', failingHosts: 'Máy chưa đạt', failingSystems: 'Hệ thống chưa đạt',
  host: 'Máy', hostname: 'Tên máy', reasons: 'Lý do', lastSeen: 'Báo cáo gần nhất', role: 'Vai trò', agent: 'Agent',
  coverage: 'Độ phủ agent', enrolled: 'Đã đăng ký', revoked: 'Đã thu hồi', neverReported: 'Chưa từng báo cáo', reporting: 'Đang báo cáo', staleHosts: 'Quá hạn báo cáo',
  none: 'Không có', andMore: 'và {n} mục khác', showing: 'Hiển thị {shown}/{total}',
  stale: 'Quá hạn báo cáo', decommissioned: 'Đã ngừng sử dụng', active: 'Đang hoạt động', protected: 'Được bảo vệ', notProtected: 'Chưa được bảo vệ',
  verdict: 'Kết luận', verdictHistory: 'Lịch sử kết luận', since: 'Từ', facts: 'Dữ liệu mới nhất theo probe', probe: 'Probe', probeFailed: 'Probe lỗi',
  products: 'Sản phẩm bảo vệ', installed: 'Cài đặt', running: 'Đang chạy', realTime: 'Thời gian thực', signatureAge: 'Tuổi mẫu nhận diện (giờ)', version: 'Phiên bản', evidence: 'Bằng chứng', unknown: 'Không xác định',
  yes: 'có', no: 'không', os: 'Hệ điều hành', ips: 'Địa chỉ IP', uptime: 'Thời gian chạy', readiness: 'Mức sẵn sàng IPv6', addresses: 'Địa chỉ IPv6',
  check: 'Kiểm tra', level: 'Cấp độ', failsIndicators: 'Chỉ tiêu chưa đạt', decommission: 'Ngừng sử dụng máy này', reason: 'Lý do',
  name: 'Tên', owner: 'Đơn vị chủ quản', approval: 'Quyết định phê duyệt', approvalNumber: 'Số quyết định', approvalDate: 'Ngày quyết định', approvalSigner: 'Cơ quan/người phê duyệt',
  plan: 'Phương án bảo vệ', planDeployed: 'Đã triển khai phương án', planDate: 'Ngày triển khai', planStatus: 'Mức triển khai', planFull: 'đầy đủ', planPartial: 'một phần', planNone: 'chưa',
  tags: 'Nhãn', source: 'Nguồn', sourceFile: 'tệp danh mục', sourceApi: 'console/API', sourceAgents: 'agent khai báo',
  fileManaged: 'Hệ thống này do tệp danh mục {file} quản lý (theo dõi phiên bản): sửa trong tệp đó; ở đây chỉ xem.',
  unclassified: 'Chưa phân loại', agentDeclared: 'Do agent khai báo', filter: 'Lọc', all: 'Tất cả', failing: 'Chưa đạt chỉ tiêu 11',
  hosts: 'Số máy', save: 'Lưu', saved: 'Đã lưu. Chỉ tiêu 11 được tính lại ở lần đánh giá tiếp theo (ngay khi tải trang).', addToRegistry: 'Đưa vào danh mục',
  audit: 'Nhật ký thay đổi', at: 'Lúc', actor: 'Người thực hiện', action: 'Thao tác', subject: 'Đối tượng', detail: 'Chi tiết',
  pending: 'Đang chờ', firing: 'Đang cảnh báo', resolved: 'Đã hết', scope: 'Phạm vi', value: 'Giá trị', activeSince: 'Bắt đầu', silence: 'Tắt tiếng trong Alertmanager',
  noAlertmanager: 'Chưa cấu hình Alertmanager (alerting.alertmanager): không có liên kết tắt tiếng.',
  agents: 'Agent', revoke: 'Thu hồi', rotate: 'Cấp lại khoá đăng ký', secretSetAt: 'Khoá đặt lúc', secretExpires: 'Hết hạn', expiresDays: 'Số ngày hiệu lực (bỏ trống: không hạn)',
  newSecret: 'Khoá đăng ký mới của {unit} (chỉ hiển thị một lần, hãy lưu lại ngay):', confirm: 'Bạn chắc chắn?',
  forbidden: 'Không được phép', forbiddenRole: 'Thao tác này cần quyền quản trị; mã truy cập của bạn chỉ có quyền xem.',
  forbiddenCsrf: 'Yêu cầu không mang mã chống giả mạo (CSRF) hợp lệ. Hãy tải lại trang rồi thử lại.',
  notFound: 'Không tìm thấy', invalid: 'Dữ liệu không hợp lệ', back: 'Quay lại', page: 'Trang', next: 'Sau', prev: 'Trước',
  unitsBelow: 'Đơn vị dưới mục tiêu', systemsOfUnit: 'Hệ thống thông tin của đơn vị', membership: 'Thuộc hệ thống', edit: 'Sửa', view: 'Xem',
  lastEvaluationNote: 'Mọi số liệu lấy từ cùng một lần đánh giá với báo cáo phụ lục.',
  readOnly: 'Chỉ xem', language: 'English', pass: 'đạt', fail: 'không đạt', chooseUnit: 'Chọn một đơn vị để xem danh sách agent của đơn vị đó.', failingSince: 'Kết luận hiện tại từ',
};

type Words = { readonly [K in keyof typeof vi]: string };

const en: Words = {
  product: 'Posture — security console',
  overview: 'Overview', units: 'Units', systems: 'Systems registry', alerts: 'Alerts', admin: 'Administration',
  signIn: 'Sign in', signOut: 'Sign out', token: 'API token',
  signInHelp: 'Use an admin or viewer API token (made with "posture tokens create").',
  signInFailed: 'The token is unknown, revoked or expired.',
  signedInAs: 'Signed in as', roleAdmin: 'admin', roleViewer: 'viewer',
  evaluatedAt: 'Figures of the evaluation at', indicator: 'Indicator', target: 'Target', actual: 'Actual', result: 'Result',
  met: 'Met', notMet: 'Not met', noData: 'No data', ministry: 'Ministry-wide', unit: 'Unit', trend: 'Trend (14 days)',
  due: 'Due', overdue: 'overdue', belowTarget: 'Below target', failingHosts: 'Failing hosts', failingSystems: 'Failing systems',
  host: 'Host', hostname: 'Hostname', reasons: 'Reasons', lastSeen: 'Last report', role: 'Role', agent: 'Agent',
  coverage: 'Agent coverage', enrolled: 'Enrolled', revoked: 'Revoked', neverReported: 'Never reported', reporting: 'Reporting', staleHosts: 'Stale',
  none: 'None', andMore: 'and {n} more', showing: 'Showing {shown} of {total}',
  stale: 'Stale', decommissioned: 'Decommissioned', active: 'Active', protected: 'Protected', notProtected: 'Not protected',
  verdict: 'Verdict', verdictHistory: 'Verdict history', since: 'Since', facts: 'Latest facts per probe', probe: 'Probe', probeFailed: 'Probe failed',
  products: 'Protection products', installed: 'Installed', running: 'Running', realTime: 'Real-time', signatureAge: 'Signature age (h)', version: 'Version', evidence: 'Evidence', unknown: 'Unknown',
  yes: 'yes', no: 'no', os: 'Operating system', ips: 'IP addresses', uptime: 'Uptime', readiness: 'IPv6 readiness', addresses: 'IPv6 addresses',
  check: 'Check', level: 'Level', failsIndicators: 'Indicators not met', decommission: 'Decommission this host', reason: 'Reason',
  name: 'Name', owner: 'Owner unit', approval: 'Approval decision', approvalNumber: 'Decision number', approvalDate: 'Decision date', approvalSigner: 'Approving authority',
  plan: 'Protection plan', planDeployed: 'Plan deployed', planDate: 'Deployed on', planStatus: 'Extent', planFull: 'full', planPartial: 'partial', planNone: 'none',
  tags: 'Tags', source: 'Source', sourceFile: 'registry file', sourceApi: 'console/API', sourceAgents: 'declared by agents',
  fileManaged: 'This system is managed by the registry file {file} (under version control): change it there; it is read-only here.',
  unclassified: 'Unclassified', agentDeclared: 'Declared by agents', filter: 'Filter', all: 'All', failing: 'Failing indicator 11',
  hosts: 'Hosts', save: 'Save', saved: 'Saved. Indicator 11 is recomputed at the next evaluation (when this page loads).', addToRegistry: 'Add to the registry',
  audit: 'Audit log', at: 'At', actor: 'Actor', action: 'Action', subject: 'Subject', detail: 'Detail',
  pending: 'Pending', firing: 'Firing', resolved: 'Resolved', scope: 'Scope', value: 'Value', activeSince: 'Since', silence: 'Silence in Alertmanager',
  noAlertmanager: 'Alertmanager is not configured (alerting.alertmanager): no silence links.',
  agents: 'Agents', revoke: 'Revoke', rotate: 'Rotate enrollment secret', secretSetAt: 'Secret set at', secretExpires: 'Expires', expiresDays: 'Valid for days (empty: no expiry)',
  newSecret: 'New enrollment secret of {unit} (shown only now; store it at once):', confirm: 'Are you sure?',
  forbidden: 'Forbidden', forbiddenRole: 'This needs an admin token; yours is a viewer token.',
  forbiddenCsrf: 'The request carries no valid anti-forgery (CSRF) token. Reload the page and try again.',
  notFound: 'Not found', invalid: 'Invalid input', back: 'Back', page: 'Page', next: 'Next', prev: 'Previous',
  unitsBelow: 'Units below target', systemsOfUnit: "The unit's information systems", membership: 'Systems', edit: 'Edit', view: 'View',
  lastEvaluationNote: 'Every figure comes from the same evaluation as the appendix report.',
  readOnly: 'Read-only', language: 'Tiếng Việt', pass: 'pass', fail: 'fail', chooseUnit: 'Choose a unit to list its agents.', failingSince: 'Current verdict since',
};

export const WORDS: Record<Lang, Words> = { vi, en };

/** Fill `{name}` placeholders. */
export const fill = (s: string, params: Record<string, string | number>): string => s.replace(/\{(\w+)\}/g, (w, k: string) => (params[k] === undefined ? w : String(params[k])));

export const percent = (r: number | null, lang: Lang): string => reportPercent(r, lang);
export const when = (iso: string | null | undefined, lang: Lang): string => (iso ? reportWhen(iso, lang) : '—');

/**
 * A reason in the page's language: a catalogue code through renderReason, a text reason of the
 * collector through the report's translations, anything else (an agent's own text) as sent.
 */
export const reasonText = (r: string | Reason, lang: Lang): string => (typeof r === 'string' ? reportReason(r, lang) : renderReason(r, lang, REASONS));

export const yesNo = (v: boolean | null | undefined, lang: Lang): string => (v === null || v === undefined ? WORDS[lang].unknown : v ? WORDS[lang].yes : WORDS[lang].no);
