/** Reasons raised by the agent's IPv6 probe and the collector's portal prober. */
import type { ReasonCatalogue } from './reason.js';

export const IPV6_REASONS = {
  IPV6_DISABLED: {
    vi: 'IPv6 bị tắt ({by})',
    en: 'IPv6 is disabled ({by})',
  },
  IPV6_NO_GLOBAL_ADDRESS: {
    vi: 'Không có địa chỉ IPv6 toàn cầu (global unicast)',
    en: 'No global unicast IPv6 address',
  },
  IPV6_ONLY_ULA: {
    vi: 'Chỉ có địa chỉ IPv6 nội bộ ULA (fd00::/8), không truy cập được từ Internet',
    en: 'Only ULA IPv6 addresses (fd00::/8), not reachable from the Internet',
  },
  IPV6_NO_DEFAULT_ROUTE: {
    vi: 'Không có tuyến mặc định IPv6 (::/0)',
    en: 'No IPv6 default route (::/0)',
  },
  IPV6_ROUTE_UNKNOWN: {
    vi: 'Không đọc được bảng định tuyến IPv6',
    en: 'The IPv6 routing table could not be read',
  },
  IPV6_LISTENER_IPV4_ONLY: {
    vi: 'Dịch vụ {protocol} {bind}:{port} ({process}) chỉ lắng nghe trên IPv4',
    en: '{protocol} {bind}:{port} ({process}) listens on IPv4 only',
  },
  IPV6_MORE_IPV4_ONLY: {
    vi: 'Và {count} dịch vụ khác chỉ lắng nghe trên IPv4',
    en: 'And {count} more listeners on IPv4 only',
  },
  IPV6_SERVICE_NO_AAAA: {
    vi: 'Tên dịch vụ {name} không có bản ghi AAAA',
    en: 'Service name {name} has no AAAA record',
  },
  IPV6_OUTBOUND_NOT_CONFIGURED: {
    vi: 'Chưa cấu hình ipv6.outboundTarget: chưa kiểm tra kết nối IPv6 ra ngoài',
    en: 'No ipv6.outboundTarget configured: outbound IPv6 not verified',
  },
  IPV6_OUTBOUND_FAILED: {
    vi: 'Kết nối IPv6 ra ngoài tới {target} thất bại: {error}',
    en: 'Outbound IPv6 to {target} failed: {error}',
  },
  IPV6_KERNEL_UNREADABLE: {
    vi: 'Không đọc được {file} của nhân hệ điều hành',
    en: 'The kernel file {file} could not be read',
  },
  IPV6_LISTENERS_FROM_PROC: {
    vi: 'Danh sách cổng đọc từ /proc, không có tên tiến trình ({why})',
    en: 'Listeners read from /proc, without process names ({why})',
  },
  IPV6_RESOLVERS_NOT_CHECKED: {
    vi: 'Không kiểm tra máy chủ DNS qua IPv6: ipv6.queryResolvers là false',
    en: 'IPv6 resolvers not checked: ipv6.queryResolvers is false',
  },
  IPV6_NO_IPV6_RESOLVER: {
    vi: 'Không có máy chủ DNS nào có địa chỉ IPv6',
    en: 'No resolver with an IPv6 address is configured',
  },
  IPV6_WINDOWS_QUERY_FAILED: {
    vi: 'Truy vấn Windows {what} thất bại',
    en: 'The Windows query {what} failed',
  },
  // The portal prober (collector/src/portals/): what a citizen on an IPv6-only network gets.
  PORTAL_NOT_CONFIGURED: {
    vi: 'Hệ thống gắn nhãn portal nhưng sổ đăng ký chưa có địa chỉ (portal.urls)',
    en: 'Tagged portal but the registry has no address for it (portal.urls)',
  },
  PORTAL_UNREACHABLE: {
    vi: 'Bộ dò không ra được Internet, không đo được: {detail}',
    en: 'The prober cannot reach the Internet, nothing was measured: {detail}',
  },
  PORTAL_TIMEOUT: {
    vi: 'Kiểm tra {check} dừng sau {ms} ms (quá thời gian cho phép)',
    en: 'Check {check} stopped after {ms} ms (time limit)',
  },
  PORTAL_DNS_FAILED: {
    vi: 'Tra cứu {type} của {name} thất bại ({error})',
    en: 'The {type} lookup of {name} failed ({error})',
  },
  PORTAL_NS_FEW_AAAA: {
    vi: '{count}/{total} máy chủ tên miền có bản ghi AAAA; cần ít nhất 2',
    en: '{count}/{total} name servers have an AAAA record; at least 2 needed',
  },
  PORTAL_NS_NOT_ANSWERING: {
    vi: '{count} máy chủ tên miền trả lời qua IPv6 cổng 53; cần ít nhất 2 (không trả lời: {failing})',
    en: '{count} name servers answer over IPv6 on port 53; at least 2 needed (not answering: {failing})',
  },
  PORTAL_WEB_NO_AAAA: {
    vi: '{name} không có bản ghi AAAA',
    en: '{name} has no AAAA record',
  },
  PORTAL_WEB_UNREACHABLE: {
    vi: '{name} [{address}] cổng {port} không kết nối được qua IPv6 ({error})',
    en: '{name} [{address}] port {port} is not reachable over IPv6 ({error})',
  },
  PORTAL_WEB_PORTS_DIFFER: {
    vi: '{name}: cổng mở qua IPv4 là {v4}, qua IPv6 là {v6}',
    en: '{name}: ports open over IPv4 {v4}, over IPv6 {v6}',
  },
  PORTAL_WEB_CONTENT_DIFFERS: {
    vi: '{name}: trang qua IPv6 giống trang qua IPv4 {percent}% (cần ít nhất {min}%)',
    en: '{name}: the page over IPv6 is {percent}% similar to the page over IPv4 (at least {min}% needed)',
  },
  PORTAL_WEB_FETCH_FAILED: {
    vi: '{url}: không tải được trang qua {family} ({error})',
    en: '{url}: the page could not be fetched over {family} ({error})',
  },
  PORTAL_HTTP_STATUS: {
    vi: '{url}: mã trạng thái HTTP {status} qua IPv6',
    en: '{url}: HTTP status {status} over IPv6',
  },
  PORTAL_TLS_INVALID: {
    vi: '{name} [{address}]: chứng thư số qua IPv6 không hợp lệ ({error})',
    en: '{name} [{address}]: the certificate over IPv6 is not valid ({error})',
  },
  PORTAL_TLS_EXPIRED: {
    vi: '{name} [{address}]: chứng thư số qua IPv6 đã hết hạn ngày {notAfter}',
    en: '{name} [{address}]: the certificate over IPv6 expired on {notAfter}',
  },
  PORTAL_MX_NO_AAAA: {
    vi: 'Máy chủ thư {mx} không có bản ghi AAAA',
    en: 'Mail server {mx} has no AAAA record',
  },
  PORTAL_MX_UNREACHABLE: {
    vi: 'Máy chủ thư {mx} [{address}] cổng 25 không kết nối được qua IPv6 ({error})',
    en: 'Mail server {mx} [{address}] port 25 is not reachable over IPv6 ({error})',
  },
  PORTAL_MX_NO_GREETING: {
    vi: 'Máy chủ thư {mx} [{address}] không gửi lời chào SMTP 220 ({error})',
    en: 'Mail server {mx} [{address}] gave no SMTP 220 greeting ({error})',
  },
} as const satisfies ReasonCatalogue;
