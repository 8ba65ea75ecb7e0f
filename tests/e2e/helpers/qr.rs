//! Reading a payment QR code back from an e-mail, as a phone's banking app would.

use base64::Engine as _;

/// The text of the one QR code in a base64 PNG.
pub fn scan_qr(png_base64: &str) -> String {
    let png = base64::engine::general_purpose::STANDARD
        .decode(png_base64.trim())
        .expect("base64 PNG");
    let mut reader = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().expect("the QR code decodes").1
}
