/**
 * Reasons raised by the agent's baseline checks: one code per check that can fail
 * (BASELINE_FAIL_ + the check id in capitals, `{check}` its id), and BASELINE_NOT_READ when the
 * state could not be read. Generated from the titles in agent/src/probes/baseline/mapping.yaml,
 * then edited by hand; a test checks that every check of the mapping has its code.
 */
import type { ReasonCatalogue } from './reason.js';

export const BASELINE_REASONS = {
  BASELINE_NOT_READ: {
    vi: 'Không đọc được trạng thái ({what})',
    en: 'The state could not be read ({what})',
  },
  BASELINE_FAIL_FIREWALL_INBOUND_DEFAULT_DENY: {
    vi: 'Chưa đạt: Tường lửa trên máy chủ bật, mặc định chặn kết nối vào ({check})',
    en: 'Not met: Host firewall active with default-deny inbound policy ({check})',
  },
  BASELINE_FAIL_TIME_SYNCHRONIZED: {
    vi: 'Chưa đạt: Đồng bộ thời gian (NTP) hoạt động ({check})',
    en: 'Not met: Clock synchronised (NTP) ({check})',
  },
  BASELINE_FAIL_LOGGING_SYSTEM: {
    vi: 'Chưa đạt: Ghi nhật ký hệ thống được bật và lưu bền vững ({check})',
    en: 'Not met: System logging on and persistent ({check})',
  },
  BASELINE_FAIL_LOGGING_AUDIT: {
    vi: 'Chưa đạt: Ghi nhật ký kiểm toán (audit) được bật ({check})',
    en: 'Not met: Audit logging on ({check})',
  },
  BASELINE_FAIL_LOGGING_RETENTION: {
    vi: 'Chưa đạt: Nhật ký hệ thống được lưu đủ thời gian (chỉ lưu {value} ngày; {check})',
    en: 'Not met: System logs kept long enough (only {value} days kept; {check})',
  },
  BASELINE_FAIL_UPDATES_SECURITY_PENDING: {
    vi: 'Chưa đạt: Không còn bản cập nhật bảo mật chưa cài ({check})',
    en: 'Not met: No pending security updates ({check})',
  },
  BASELINE_FAIL_UPDATES_AUTOMATIC: {
    vi: 'Chưa đạt: Tự động cập nhật bản vá được bật ({check})',
    en: 'Not met: Automatic updates enabled ({check})',
  },
  BASELINE_FAIL_SSH_ROOT_LOGIN: {
    vi: 'Chưa đạt: SSH không cho đăng nhập root bằng mật khẩu ({check})',
    en: 'Not met: SSH: no root login with password ({check})',
  },
  BASELINE_FAIL_SSH_EMPTY_PASSWORDS: {
    vi: 'Chưa đạt: SSH không cho đăng nhập bằng mật khẩu rỗng ({check})',
    en: 'Not met: SSH: no empty passwords ({check})',
  },
  BASELINE_FAIL_SSH_WEAK_CRYPTO: {
    vi: 'Chưa đạt: SSH không dùng giao thức 1 hay thuật toán mã hóa yếu ({check})',
    en: 'Not met: SSH: no protocol 1 or weak ciphers, MACs, key exchange ({check})',
  },
  BASELINE_FAIL_SSH_PASSWORD_AUTH: {
    vi: 'Chưa đạt: SSH chỉ xác thực bằng khóa, không bằng mật khẩu ({check})',
    en: 'Not met: SSH: key-based authentication only ({check})',
  },
  BASELINE_FAIL_RDP_NLA: {
    vi: 'Chưa đạt: Remote Desktop tắt hoặc bắt buộc xác thực mức mạng (NLA) ({check})',
    en: 'Not met: Remote Desktop off or Network Level Authentication required ({check})',
  },
  BASELINE_FAIL_PASSWORD_MIN_LENGTH: {
    vi: 'Chưa đạt: Mật khẩu có độ dài tối thiểu ({check})',
    en: 'Not met: Password minimum length enforced ({check})',
  },
  BASELINE_FAIL_PASSWORD_MAX_AGE: {
    vi: 'Chưa đạt: Mật khẩu phải thay đổi định kỳ ({check})',
    en: 'Not met: Password maximum age enforced ({check})',
  },
  BASELINE_FAIL_PASSWORD_LOCKOUT: {
    vi: 'Chưa đạt: Khóa tài khoản sau nhiều lần đăng nhập sai ({check})',
    en: 'Not met: Account lockout after failed logins ({check})',
  },
  BASELINE_FAIL_ENCRYPTION_DISK: {
    vi: 'Chưa đạt: Ổ đĩa hệ thống được mã hóa toàn bộ ({check})',
    en: 'Not met: System disk fully encrypted ({check})',
  },
  BASELINE_FAIL_PROTECTION_ENDPOINT: {
    vi: 'Chưa đạt: Có giải pháp phòng chống mã độc đang bảo vệ ({check})',
    en: 'Not met: Endpoint protection active and up to date ({check})',
  },
  BASELINE_FAIL_SSH_IDLE_TIMEOUT: {
    vi: 'Chưa đạt: SSH ngắt phiên không hoạt động ({check})',
    en: 'Not met: SSH: idle sessions time out ({check})',
  },
  BASELINE_FAIL_SSH_MAX_AUTH_TRIES: {
    vi: 'Chưa đạt: SSH giới hạn số lần thử xác thực ({check})',
    en: 'Not met: SSH: authentication attempts limited ({check})',
  },
  BASELINE_FAIL_SSH_LOG_LEVEL: {
    vi: 'Chưa đạt: SSH ghi nhật ký đăng nhập ({check})',
    en: 'Not met: SSH: logins logged (LogLevel INFO or VERBOSE) ({check})',
  },
  BASELINE_FAIL_SSH_BANNER: {
    vi: 'Chưa đạt: SSH hiển thị cảnh báo trước khi đăng nhập ({check})',
    en: 'Not met: SSH: warning banner before login ({check})',
  },
  BASELINE_FAIL_SSH_CONFIG_LOADED: {
    vi: 'Chưa đạt: Máy chủ SSH đang chạy đúng cấu hình đã lưu ({check})',
    en: 'Not met: SSH daemon runs the configuration on disk ({check})',
  },
  BASELINE_FAIL_KERNEL_IP_FORWARD: {
    vi: 'Chưa đạt: Tắt chuyển tiếp gói tin (không phải bộ định tuyến) ({check})',
    en: 'Not met: IP forwarding off (not a router) ({check})',
  },
  BASELINE_FAIL_KERNEL_RP_FILTER: {
    vi: 'Chưa đạt: Lọc địa chỉ nguồn giả mạo (rp_filter) ({check})',
    en: 'Not met: Reverse-path filter on ({check})',
  },
  BASELINE_FAIL_KERNEL_ASLR: {
    vi: 'Chưa đạt: Ngẫu nhiên hóa không gian địa chỉ (ASLR) đầy đủ ({check})',
    en: 'Not met: Full address space layout randomisation ({check})',
  },
  BASELINE_FAIL_KERNEL_SUID_DUMPABLE: {
    vi: 'Chưa đạt: Không tạo core dump cho chương trình setuid ({check})',
    en: 'Not met: No core dumps of setuid programs ({check})',
  },
  BASELINE_FAIL_KERNEL_REDIRECTS: {
    vi: 'Chưa đạt: Không nhận/gửi ICMP redirect ({check})',
    en: 'Not met: ICMP redirects neither accepted nor sent ({check})',
  },
  BASELINE_FAIL_KERNEL_SOURCE_ROUTE: {
    vi: 'Chưa đạt: Không nhận gói tin định tuyến nguồn ({check})',
    en: 'Not met: Source-routed packets refused ({check})',
  },
  BASELINE_FAIL_KERNEL_SYNCOOKIES: {
    vi: 'Chưa đạt: Bật TCP SYN cookies ({check})',
    en: 'Not met: TCP SYN cookies on ({check})',
  },
  BASELINE_FAIL_KERNEL_DMESG_RESTRICT: {
    vi: 'Chưa đạt: Nhật ký nhân chỉ quản trị viên đọc được ({check})',
    en: 'Not met: Kernel log readable by root only ({check})',
  },
  BASELINE_FAIL_KERNEL_KPTR_RESTRICT: {
    vi: 'Chưa đạt: Ẩn địa chỉ nhân với người dùng thường ({check})',
    en: 'Not met: Kernel pointers hidden ({check})',
  },
  BASELINE_FAIL_KERNEL_PROTECTED_LINKS: {
    vi: 'Chưa đạt: Bảo vệ liên kết tượng trưng/cứng ({check})',
    en: 'Not met: Symlink and hardlink protection ({check})',
  },
  BASELINE_FAIL_ACCOUNTS_NO_EMPTY_PASSWORDS: {
    vi: 'Chưa đạt: Không có tài khoản mật khẩu rỗng ({check})',
    en: 'Not met: No account with an empty password ({check})',
  },
  BASELINE_FAIL_ACCOUNTS_PAM_NULLOK: {
    vi: 'Chưa đạt: PAM không cho phép mật khẩu rỗng (nullok) ({check})',
    en: 'Not met: PAM refuses empty passwords (no nullok) ({check})',
  },
  BASELINE_FAIL_ACCOUNTS_SINGLE_UID0: {
    vi: 'Chưa đạt: Chỉ root có UID 0 ({check})',
    en: 'Not met: Only root has UID 0 ({check})',
  },
  BASELINE_FAIL_ACCOUNTS_GUEST_DISABLED: {
    vi: 'Chưa đạt: Tài khoản Guest bị vô hiệu hóa ({check})',
    en: 'Not met: Guest account disabled ({check})',
  },
  BASELINE_FAIL_ACCOUNTS_UMASK: {
    vi: 'Chưa đạt: Quyền mặc định của tệp mới (umask 027) ({check})',
    en: 'Not met: Default umask 027 or stricter ({check})',
  },
  BASELINE_FAIL_PASSWORD_MIN_AGE: {
    vi: 'Chưa đạt: Mật khẩu có thời gian sử dụng tối thiểu ({check})',
    en: 'Not met: Password minimum age enforced ({check})',
  },
  BASELINE_FAIL_PASSWORD_HASHING: {
    vi: 'Chưa đạt: Mật khẩu được băm bằng thuật toán mạnh ({check})',
    en: 'Not met: Passwords stored with a strong hash ({check})',
  },
  BASELINE_FAIL_PASSWORD_HISTORY: {
    vi: 'Chưa đạt: Không dùng lại mật khẩu cũ ({check})',
    en: 'Not met: Password reuse prevented (history) ({check})',
  },
  BASELINE_FAIL_PASSWORD_COMPLEXITY: {
    vi: 'Chưa đạt: Mật khẩu phức tạp (nhiều loại ký tự) ({check})',
    en: 'Not met: Password complexity enforced ({check})',
  },
  BASELINE_FAIL_FILES_PASSWD: {
    vi: 'Chưa đạt: Quyền tệp /etc/passwd đúng ({check})',
    en: 'Not met: /etc/passwd owned by root, mode 644 or stricter ({check})',
  },
  BASELINE_FAIL_FILES_GROUP: {
    vi: 'Chưa đạt: Quyền tệp /etc/group đúng ({check})',
    en: 'Not met: /etc/group owned by root, mode 644 or stricter ({check})',
  },
  BASELINE_FAIL_FILES_SHADOW: {
    vi: 'Chưa đạt: Quyền tệp /etc/shadow đúng ({check})',
    en: 'Not met: /etc/shadow owned by root, mode 640 or stricter ({check})',
  },
  BASELINE_FAIL_FILES_GSHADOW: {
    vi: 'Chưa đạt: Quyền tệp /etc/gshadow đúng ({check})',
    en: 'Not met: /etc/gshadow owned by root, mode 640 or stricter ({check})',
  },
  BASELINE_FAIL_LOGGING_FILE_PERMISSIONS: {
    vi: 'Chưa đạt: Tệp nhật ký không cho người khác đọc/ghi ({check})',
    en: 'Not met: Log files not readable or writable by others ({check})',
  },
  BASELINE_FAIL_LOGGING_REMOTE: {
    vi: 'Chưa đạt: Nhật ký được gửi về máy chủ nhật ký tập trung ({check})',
    en: 'Not met: Logs forwarded to a central log server ({check})',
  },
  BASELINE_FAIL_AUDIT_RULES_LOGINS: {
    vi: 'Chưa đạt: Kiểm toán ghi lại đăng nhập ({check})',
    en: 'Not met: Audit rules record logins ({check})',
  },
  BASELINE_FAIL_AUDIT_RULES_IDENTITY: {
    vi: 'Chưa đạt: Kiểm toán ghi lại thay đổi tài khoản, nhóm ({check})',
    en: 'Not met: Audit rules record identity changes ({check})',
  },
  BASELINE_FAIL_AUDIT_RULES_PRIVILEGE: {
    vi: 'Chưa đạt: Kiểm toán ghi lại việc dùng đặc quyền (sudo) ({check})',
    en: 'Not met: Audit rules record privilege use (sudo) ({check})',
  },
  BASELINE_FAIL_AUDIT_RULES_TIME: {
    vi: 'Chưa đạt: Kiểm toán ghi lại thay đổi thời gian ({check})',
    en: 'Not met: Audit rules record clock changes ({check})',
  },
  BASELINE_FAIL_AUDIT_POLICY_CHANGE: {
    vi: 'Chưa đạt: Kiểm toán ghi lại thay đổi chính sách kiểm toán ({check})',
    en: 'Not met: Audit policy changes recorded ({check})',
  },
  BASELINE_FAIL_AUDIT_IMMUTABLE: {
    vi: 'Chưa đạt: Quy tắc kiểm toán bị khóa (không sửa được khi chạy) ({check})',
    en: 'Not met: Audit rules locked until reboot (-e 2) ({check})',
  },
  BASELINE_FAIL_AUDIT_LOG_RETENTION: {
    vi: 'Chưa đạt: Nhật ký kiểm toán được giữ lại, không bị ghi đè ({check})',
    en: 'Not met: Audit logs kept, not overwritten ({check})',
  },
  BASELINE_FAIL_INTEGRITY_AIDE_INITIALISED: {
    vi: 'Chưa đạt: Có giám sát toàn vẹn tệp (AIDE) đã khởi tạo ({check})',
    en: 'Not met: File integrity monitoring (AIDE) initialised ({check})',
  },
  BASELINE_FAIL_INTEGRITY_AIDE_SCHEDULED: {
    vi: 'Chưa đạt: Kiểm tra toàn vẹn tệp chạy định kỳ ({check})',
    en: 'Not met: File integrity check scheduled ({check})',
  },
  BASELINE_FAIL_SUDO_NOPASSWD: {
    vi: 'Chưa đạt: sudo yêu cầu mật khẩu ({check})',
    en: 'Not met: sudo requires a password ({check})',
  },
  BASELINE_FAIL_SERVICES_TELNET_SERVER: {
    vi: 'Chưa đạt: Không có dịch vụ Telnet ({check})',
    en: 'Not met: No telnet server ({check})',
  },
  BASELINE_FAIL_SERVICES_RSH_SERVER: {
    vi: 'Chưa đạt: Không có dịch vụ rsh/rlogin ({check})',
    en: 'Not met: No rsh/rlogin/rexec server ({check})',
  },
  BASELINE_FAIL_SERVICES_NIS: {
    vi: 'Chưa đạt: Không dùng NIS ({check})',
    en: 'Not met: No NIS ({check})',
  },
  BASELINE_FAIL_SERVICES_TFTP_SERVER: {
    vi: 'Chưa đạt: Không có dịch vụ TFTP ({check})',
    en: 'Not met: No TFTP server ({check})',
  },
  BASELINE_FAIL_USB_STORAGE: {
    vi: 'Chưa đạt: Chặn thiết bị lưu trữ USB trên máy trạm ({check})',
    en: 'Not met: USB mass storage blocked on workstations ({check})',
  },
  BASELINE_FAIL_FS_VAR_LOG_SEPARATE: {
    vi: 'Chưa đạt: /var/log nằm trên phân vùng riêng ({check})',
    en: 'Not met: /var/log on its own file system ({check})',
  },
  BASELINE_FAIL_FS_VAR_LOG_AUDIT_SEPARATE: {
    vi: 'Chưa đạt: /var/log/audit nằm trên phân vùng riêng ({check})',
    en: 'Not met: /var/log/audit on its own file system ({check})',
  },
  BASELINE_FAIL_PACKAGES_SIGNED_SOURCES: {
    vi: 'Chưa đạt: Nguồn gói phần mềm có chữ ký ({check})',
    en: 'Not met: Package sources signed ({check})',
  },
  BASELINE_FAIL_PACKAGES_OFFICIAL_SOURCES: {
    vi: 'Chưa đạt: Nguồn gói phần mềm chính thức ({check})',
    en: 'Not met: Package sources official ({check})',
  },
  BASELINE_FAIL_TLS_CERTIFICATES_VALID: {
    vi: 'Chưa đạt: Chứng thư TLS của dịch vụ còn hiệu lực ({check})',
    en: 'Not met: TLS certificates of listening services valid ({check})',
  },
  BASELINE_FAIL_SMB_V1_DISABLED: {
    vi: 'Chưa đạt: Tắt giao thức SMBv1 ({check})',
    en: 'Not met: SMBv1 disabled ({check})',
  },
  BASELINE_FAIL_SMB_SIGNING: {
    vi: 'Chưa đạt: Bắt buộc ký SMB ({check})',
    en: 'Not met: SMB signing required ({check})',
  },
  BASELINE_FAIL_UAC_ENABLED: {
    vi: 'Chưa đạt: Bật kiểm soát tài khoản người dùng (UAC) ({check})',
    en: 'Not met: User Account Control on ({check})',
  },
  BASELINE_FAIL_AUTORUN_DISABLED: {
    vi: 'Chưa đạt: Tắt tự động chạy (AutoRun) ({check})',
    en: 'Not met: AutoRun disabled ({check})',
  },
  BASELINE_FAIL_DEFENDER_TAMPER_PROTECTION: {
    vi: 'Chưa đạt: Bật chống can thiệp của Defender ({check})',
    en: 'Not met: Defender tamper protection on ({check})',
  },
  BASELINE_FAIL_RDP_IDLE_TIMEOUT: {
    vi: 'Chưa đạt: Remote Desktop ngắt phiên không hoạt động ({check})',
    en: 'Not met: Remote Desktop idle sessions time out ({check})',
  },
  BASELINE_FAIL_SESSION_LOCK: {
    vi: 'Chưa đạt: Khóa phiên làm việc khi không hoạt động ({check})',
    en: 'Not met: Session locks when idle ({check})',
  },
} as const satisfies ReasonCatalogue;
