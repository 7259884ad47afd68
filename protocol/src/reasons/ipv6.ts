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
} as const satisfies ReasonCatalogue;
