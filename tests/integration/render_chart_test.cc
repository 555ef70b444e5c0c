// RenderService.RenderChart over gRPC against a real gateway: each image
// format comes back valid (PNG of the right pixel size with the DPI in its
// pHYs chunk, SVG that parses as XML, a PDF whose text holds the title),
// bad charts and bad data are INVALID_ARGUMENT with located findings, and a
// full render queue answers RESOURCE_EXHAUSTED while the calls it took
// still succeed.
#include <gtest/gtest.h>

#include <future>
#include <string>
#include <vector>

#include "quire/v1/render.grpc.pb.h"
#include "report/render/chart_image.h"
#include "tests/integration/cluster.h"

namespace quire::testing {
namespace {

v1::RenderChartRequest MonthlyRevenue(const std::string& chart) {
  v1::RenderChartRequest req;
  req.set_chart(chart);
  auto* month = req.add_columns();
  month->set_name("month");
  month->set_type("text");
  auto* revenue = req.add_columns();
  revenue->set_name("revenue");
  revenue->set_type("float");
  const char* months[] = {"Jan", "Feb", "Mar", "Apr"};
  for (int i = 0; i < 4; ++i) {
    auto* row = req.add_rows();
    row->add_cells()->set_value(months[i]);
    row->add_cells()->set_value(std::to_string(100 + 25 * i));
  }
  return req;
}

const char* kBarChart =
    "{type: bar, x: month, y: [revenue], title: Revenue by month, width: 480, height: 300}";

grpc::Status Render(TestCluster& c, const v1::RenderChartRequest& req,
                    v1::RenderChartResponse* resp) {
  auto stub = v1::RenderService::NewStub(c.channel());
  return stub->RenderChart(Deadline(30s).get(), req, resp);
}

std::string WriteFile(const std::string& dir, const std::string& name, const std::string& data) {
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << data;
  return path;
}

TEST(RenderChart, PngHasThePixelSizeAndDpiAsked) {
  TestCluster c;
  auto req = MonthlyRevenue(kBarChart);
  req.set_format(v1::IMAGE_FORMAT_PNG);
  req.set_dpi(300);
  v1::RenderChartResponse resp;
  ASSERT_RPC_OK(Render(c, req, &resp));
  EXPECT_EQ(resp.content_type(), "image/png");
  const std::string& png = resp.image();
  ASSERT_GT(png.size(), 24u);
  EXPECT_EQ(png.substr(1, 3), "PNG");
  // IHDR: width and height big-endian at bytes 16..23.
  auto u32 = [&](size_t at) {
    return (static_cast<uint32_t>(static_cast<unsigned char>(png[at])) << 24) |
           (static_cast<uint32_t>(static_cast<unsigned char>(png[at + 1])) << 16) |
           (static_cast<uint32_t>(static_cast<unsigned char>(png[at + 2])) << 8) |
           static_cast<uint32_t>(static_cast<unsigned char>(png[at + 3]));
  };
  EXPECT_EQ(u32(16), 2000u);  // 480 pt * 300 / 72
  EXPECT_EQ(u32(20), 1250u);  // 300 pt * 300 / 72
  EXPECT_EQ(resp.width(), 2000);
  auto dpi = PngDpi(png);
  ASSERT_TRUE(dpi.has_value()) << "no pHYs chunk";
  EXPECT_NEAR(*dpi, 300, 0.1);
}

TEST(RenderChart, SvgParsesAsXmlAndPdfHoldsTheTitle) {
  TestCluster c;
  auto req = MonthlyRevenue(kBarChart);
  req.set_format(v1::IMAGE_FORMAT_SVG);
  v1::RenderChartResponse svg;
  ASSERT_RPC_OK(Render(c, req, &svg));
  EXPECT_EQ(svg.content_type(), "image/svg+xml");
  const std::string svg_path = WriteFile(c.work_dir(), "chart.svg", svg.image());
  CommandResult parsed = RunCommand(
      {"/usr/bin/python3", "-c",
       "import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); "
       "print(r.tag, r.get('width'), r.get('height'))",
       svg_path},
      {}, c.work_dir() + "/svg.log", 30s);
  EXPECT_EQ(parsed.exit_code, 0) << parsed.output;
  EXPECT_NE(parsed.output.find("{http://www.w3.org/2000/svg}svg 480pt 300pt"), std::string::npos)
      << parsed.output;

  req.set_format(v1::IMAGE_FORMAT_PDF);
  v1::RenderChartResponse pdf;
  ASSERT_RPC_OK(Render(c, req, &pdf));
  EXPECT_EQ(pdf.content_type(), "application/pdf");
  EXPECT_EQ(pdf.image().substr(0, 5), "%PDF-");
  const std::string pdf_path = WriteFile(c.work_dir(), "chart.pdf", pdf.image());
  CommandResult text =
      RunCommand({"/usr/bin/pdftotext", pdf_path, "-"}, {}, c.work_dir() + "/pdf.log", 30s);
  EXPECT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("Revenue by month"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("Mar"), std::string::npos) << text.output;
}

TEST(RenderChart, BadChartsAndDataAreInvalidArgument) {
  TestCluster c;
  v1::RenderChartResponse resp;
  // A y column the data lacks: located at line 1, with a suggestion.
  grpc::Status s = Render(c, MonthlyRevenue("{type: bar, x: month, y: [revenu]}"), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(s);
  EXPECT_NE(s.error_message().find("1:"), std::string::npos) << s.error_message();
  EXPECT_NE(s.error_message().find("revenue"), std::string::npos) << s.error_message();
  EXPECT_NE(s.error_message().find("[ref.column]"), std::string::npos) << s.error_message();

  s = Render(c, MonthlyRevenue("{type: doughnut, x: month, y: [revenue]}"), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(s);
  EXPECT_NE(s.error_message().find("[chart.type]"), std::string::npos) << s.error_message();

  auto bad_cell = MonthlyRevenue(kBarChart);
  bad_cell.mutable_rows(2)->mutable_cells(1)->set_value("lots");
  s = Render(c, bad_cell, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(s);
  EXPECT_NE(s.error_message().find("rows[2]"), std::string::npos) << s.error_message();

  auto short_row = MonthlyRevenue(kBarChart);
  short_row.mutable_rows(1)->mutable_cells()->RemoveLast();
  s = Render(c, short_row, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(s);
  EXPECT_NE(s.error_message().find("rows[1]"), std::string::npos) << s.error_message();

  auto big = MonthlyRevenue(kBarChart);
  big.set_dpi(5000);
  s = Render(c, big, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(s);
  EXPECT_NE(s.error_message().find("dpi"), std::string::npos) << s.error_message();

  auto bad_type = MonthlyRevenue(kBarChart);
  bad_type.mutable_columns(1)->set_type("money");
  s = Render(c, bad_type, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(s);
  EXPECT_NE(s.error_message().find("money"), std::string::npos) << s.error_message();

  // A null cell is fine: the bar is simply missing.
  auto with_null = MonthlyRevenue(kBarChart);
  with_null.mutable_rows(0)->mutable_cells(1)->set_is_null(true);
  ASSERT_RPC_OK(Render(c, with_null, &resp));
}

TEST(RenderChart, AFullRenderQueueIsResourceExhaustedAndTakenCallsSucceed) {
  TestCluster::Options options;
  options.gateway_sets = {"gateway.render_threads=1", "gateway.render_queue=1"};
  TestCluster c(options);
  // A heavy chart: 20,000 scatter points at 300 dpi.
  v1::RenderChartRequest req;
  req.set_chart("{type: scatter, x: a, y: [b], width: 1000, height: 800}");
  req.set_dpi(300);
  for (const char* name : {"a", "b"}) {
    auto* col = req.add_columns();
    col->set_name(name);
    col->set_type("float");
  }
  for (int i = 0; i < 20000; ++i) {
    auto* row = req.add_rows();
    row->add_cells()->set_value(std::to_string(i % 997));
    row->add_cells()->set_value(std::to_string((i * 7919) % 1009));
  }
  std::vector<std::future<grpc::Status>> calls;
  for (int i = 0; i < 12; ++i) {
    calls.push_back(std::async(std::launch::async, [&] {
      v1::RenderChartResponse resp;
      return Render(c, req, &resp);
    }));
  }
  int ok = 0, exhausted = 0;
  for (auto& f : calls) {
    grpc::Status s = f.get();
    if (s.ok()) {
      ++ok;
    } else {
      EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << Describe(s);
      ++exhausted;
    }
  }
  EXPECT_GE(ok, 1);
  EXPECT_GE(exhausted, 1) << "one thread and a queue of one took all 12 heavy calls";
  // And the gateway serves again once idle.
  v1::RenderChartResponse resp;
  ASSERT_RPC_OK(Render(c, MonthlyRevenue(kBarChart), &resp));
}

}  // namespace
}  // namespace quire::testing
