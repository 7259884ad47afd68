/** Reasons raised by the agent's protection probe (and by the collector's protection policy). */
import type { ReasonCatalogue } from './reason.js';

export const PROTECTION_REASONS = {
  PROTECTION_NO_PRODUCT: {
    vi: 'Không tìm thấy sản phẩm phòng chống mã độc hoặc EDR nào',
    en: 'No anti-malware or EDR product found',
  },
  PROTECTION_ENUMERATION_FAILED: {
    vi: 'Không đọc được danh sách sản phẩm bảo vệ ({source})',
    en: 'The list of protection products could not be read ({source})',
  },
  PROTECTION_PRODUCT_PROTECTS: {
    vi: '{product}: đang bảo vệ (đang chạy, bảo vệ thời gian thực bật, mẫu nhận diện còn mới)',
    en: '{product}: protecting (running, real-time on, signatures current)',
  },
  PROTECTION_NOT_ANTIMALWARE: {
    vi: '{product}: không phải sản phẩm phòng chống mã độc',
    en: '{product}: not an anti-malware product',
  },
  PROTECTION_NOT_INSTALLED: {
    vi: '{product}: chưa được cài đặt (đăng ký còn sót lại)',
    en: '{product}: not installed (a leftover registration)',
  },
  PROTECTION_NOT_RUNNING: {
    vi: '{product}: không chạy',
    en: '{product}: not running',
  },
  PROTECTION_RUNNING_UNKNOWN: {
    vi: '{product}: không xác định được có đang chạy hay không',
    en: '{product}: whether it runs is unknown',
  },
  PROTECTION_REALTIME_OFF: {
    vi: '{product}: bảo vệ thời gian thực không hoạt động',
    en: '{product}: real-time protection off',
  },
  PROTECTION_REALTIME_UNKNOWN: {
    vi: '{product}: không xác định được trạng thái bảo vệ thời gian thực',
    en: '{product}: real-time protection state unknown',
  },
  PROTECTION_SIGNATURES_OLD: {
    vi: '{product}: mẫu nhận diện đã cũ {ageHours} giờ (giới hạn {limitHours} giờ)',
    en: '{product}: signatures {ageHours} h old (limit {limitHours} h)',
  },
  PROTECTION_SIGNATURES_OUT_OF_DATE: {
    vi: '{product}: mẫu nhận diện đã lỗi thời (theo cờ của nhà sản xuất)',
    en: '{product}: signatures out of date (vendor flag)',
  },
  PROTECTION_SIGNATURES_UNKNOWN: {
    vi: '{product}: không xác định được tuổi của mẫu nhận diện',
    en: '{product}: signature age unknown',
  },
  PROTECTION_VENDOR_FLAG_NOT_TRUSTED: {
    vi: '{product}: chỉ có cờ "đã cập nhật" của nhà sản xuất, cấu hình không chấp nhận cờ này',
    en: '{product}: only the vendor\'s "up to date" flag is known, and the config does not trust it',
  },
  PROTECTION_ENGINE_NOT_ANSWERING: {
    vi: '{product}: tiến trình tồn tại nhưng bộ quét không trả lời yêu cầu ({detail})',
    en: '{product}: the process exists but the engine does not answer a request ({detail})',
  },
  PROTECTION_ENGINE_NOT_ASKED: {
    vi: '{product}: không hỏi được bộ quét ({detail})',
    en: '{product}: the engine could not be asked ({detail})',
  },
  PROTECTION_ONACCESS_INCOMPLETE: {
    vi: '{product}: quét khi truy cập không bao phủ toàn hệ thống ({detail})',
    en: '{product}: on-access scanning does not cover the system ({detail})',
  },
  PROTECTION_NO_OFFICIAL_DATABASE: {
    vi: '{product}: không có cơ sở dữ liệu mẫu chính thức có ngày phát hành trong {dir}',
    en: '{product}: no official signature database with a build date in {dir}',
  },
  PROTECTION_FIELD_UNKNOWN: {
    vi: '{product}: hệ điều hành không cho biết giá trị {field}',
    en: '{product}: the OS did not tell {field}',
  },
  PROTECTION_QUERY_FAILED: {
    vi: 'Truy vấn {source} thất bại (mã lỗi {errorId})',
    en: 'The {source} query failed (error id {errorId})',
  },
  PROTECTION_NO_SECURITY_CENTER: {
    vi: 'Không có Security Center (Windows Server): Defender đọc bằng Get-MpComputerStatus, sản phẩm khác qua dịch vụ',
    en: 'No Security Center (Windows Server): Defender read with Get-MpComputerStatus, other products by service',
  },
  PROTECTION_DEFENDER_PASSIVE: {
    vi: '{product}: chạy ở chế độ {mode}, không quét thời gian thực (ForceDefenderPassiveMode={forced})',
    en: '{product}: in {mode}, no real-time scanning by it (ForceDefenderPassiveMode={forced})',
  },
} as const satisfies ReasonCatalogue;
