import { describe, expect, it } from 'vitest';
import { pageSimilarity, stripNonces } from './similarity.js';

const page = (body: string, token = 'a1b2c3d4e5f60718293a4b5c6d7e8f90') =>
  `<html><head><meta name="csrf-token" content="${token}"><script nonce="${token}">x()</script></head><body>${body}<form><input type="hidden" name="__RequestVerificationToken" value="${token}"><input value="${token}" type="hidden" name="authenticity_token"></form></body></html>`;
const TEXT = 'Cổng thông tin điện tử Bộ Giao thông vận tải: tin tức, văn bản, thủ tục hành chính, dịch vụ công trực tuyến, lịch công tác, liên hệ.';

describe('stripNonces', () => {
  it.each([
    ['nonce attribute', '<script nonce="Zm9vYmFyMTIzNDU2Nzg5MA==">', '<script nonce="">'],
    ['meta csrf-token', '<meta name="csrf-token" content="abc123">', '<meta name="csrf-token" content="">'],
    ['hidden input, name first', '<input type="hidden" name="csrfmiddlewaretoken" value="q1w2e3">', '<input type="hidden" name="csrfmiddlewaretoken" value="">'],
    ['hidden input, value first', '<input value="q1w2e3" name="_token">', '<input value="" name="_token">'],
    ['ASP.NET view state', '<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1MmRk">', '<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="">'],
    ['leftover random run', '<a href="/app.js?v=9f8e7d6c5b4a39281706">', '<a href="/app.js?v=">'],
    ['ordinary words stay', '<p>Thủ tục hành chính trực tuyến 2024</p>', '<p>Thủ tục hành chính trực tuyến 2024</p>'],
  ])('%s', (_what, html, stripped) => {
    expect(stripNonces(html)).toBe(stripped);
  });
});

describe('pageSimilarity', () => {
  it('is 1 for the same page whose nonces and CSRF tokens differ', () => {
    expect(pageSimilarity(page(TEXT), page(TEXT, 'ffffeeeeddddccccbbbbaaaa99998888'))).toBe(1);
  });

  it('is below 0.9 for another text in the same template (markup alone does not make pages the same)', () => {
    const other = 'Trang đang bảo trì. Hệ thống tạm ngừng phục vụ để nâng cấp, xin quý khách vui lòng quay lại sau hoặc gọi tổng đài hỗ trợ.';
    expect(pageSimilarity(page(TEXT), page(other))).toBeLessThan(0.9);
  });

  it('is below 0.9 for an error or default page instead of the portal', () => {
    const nginx = '<html><head><title>Welcome to nginx!</title></head><body><h1>Welcome to nginx!</h1><p>If you see this page, the nginx web server is successfully installed and working.</p></body></html>';
    expect(pageSimilarity(page(TEXT), nginx)).toBeLessThan(0.5);
  });

  it('stays above 0.9 for a small change (a date, one news item) in a long page', () => {
    const long = Array.from({ length: 40 }, (_, i) => `<li>Tin số ${i}: ${TEXT}</li>`).join('');
    const changed = long.replace('Tin số 7:', 'Tin số 7 (cập nhật 01/12/2026):');
    const s = pageSimilarity(page(long), page(changed));
    expect(s).toBeGreaterThan(0.9);
    expect(s).toBeLessThan(1);
  });

  it('two empty pages are the same; an empty page and a real one are not', () => {
    expect(pageSimilarity('', '')).toBe(1);
    expect(pageSimilarity('', page(TEXT))).toBe(0);
  });
});
