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
  PROTECTION_NOT_RUNNING: {
    vi: '{product}: không chạy',
    en: '{product}: not running',
  },
  PROTECTION_REALTIME_OFF: {
    vi: '{product}: bảo vệ thời gian thực không hoạt động',
    en: '{product}: real-time protection off',
  },
  PROTECTION_SIGNATURES_OLD: {
    vi: '{product}: mẫu nhận diện đã cũ {ageHours} giờ (giới hạn {limitHours} giờ)',
    en: '{product}: signatures {ageHours} h old (limit {limitHours} h)',
  },
} as const satisfies ReasonCatalogue;
