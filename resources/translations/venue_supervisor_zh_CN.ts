<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About Venue Supervisor</source>
        <translation>关于大型活动安保现场督导</translation>
    </message>
    <message>
        <source>Offline on-site supervision of the security guards at large public events.</source>
        <translation>大型活动现场保安员督导检查，无需网络。</translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation>正在读取…</translation>
    </message>
    <message>
        <source>Copy build information</source>
        <translation>复制版本信息</translation>
    </message>
    <message>
        <source>Build information</source>
        <translation>版本信息</translation>
    </message>
    <message>
        <source>Licences of the bundled font and of the libraries this program carries:</source>
        <translation>随程序附带的字体及各程序库的许可证：</translation>
    </message>
    <message>
        <source>The build information could not be read: {error}</source>
        <translation>无法读取版本信息：{error}</translation>
    </message>
    <message>
        <source>The licence texts could not be read: {error}</source>
        <translation>无法读取许可证文本：{error}</translation>
    </message>
    <message>
        <source>Copied: paste it into your message to headquarters.</source>
        <translation>已复制：可粘贴到发给总部的消息中。</translation>
    </message>
</context>
<context>
    <name>Application</name>
    <message>
        <source>Venue Supervisor</source>
        <translation>大型活动安保现场督导</translation>
    </message>
    <message>
        <source>An unexpected error occurred; what was saved before stays saved.
{error}

Details are in {log}</source>
        <translation>发生意外错误；此前已保存的内容不受影响。
{error}

详细信息见 {log}</translation>
    </message>
    <message>
        <source>The profile cannot be opened:
{error}</source>
        <translation>无法打开数据档案：
{error}</translation>
    </message>
    <message>
        <source>demonstration data (not encrypted)</source>
        <translation>演示数据（未加密）</translation>
    </message>
</context>
<context>
    <name>Badge</name>
    <message>
        <source>certificate number</source>
        <translation>保安员证号</translation>
    </message>
    <message>
        <source>name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>company</source>
        <translation>公司</translation>
    </message>
    <message>
        <source>licence number</source>
        <translation>许可证号</translation>
    </message>
    <message>
        <source>post name</source>
        <translation>岗位名称</translation>
    </message>
    <message>
        <source>{field} {value} contains control characters</source>
        <translation>{field} {value} 含有控制字符</translation>
    </message>
    <message>
        <source>{field} {value} cannot be written in GB18030</source>
        <translation>{field} {value} 含有 GB18030 无法表示的字符</translation>
    </message>
    <message>
        <source>{field} is empty</source>
        <translation>{field}为空</translation>
    </message>
    <message>
        <source>{field} takes {size} bytes, at most {limit} fit</source>
        <translation>{field}占 {size} 字节，最多只能容纳 {limit} 字节</translation>
    </message>
    <message>
        <source>certificate number {number} has no digits or letters</source>
        <translation>证号 {number} 中没有数字或字母</translation>
    </message>
    <message>
        <source>{field} must be a date from {first} to {last}</source>
        <translation>{field} 必须是 {first} 至 {last} 之间的日期</translation>
    </message>
    <message>
        <source>expires_on is before issued_on</source>
        <translation>有效期截止日期（expires_on）早于签发日期（issued_on）</translation>
    </message>
    <message>
        <source>the badge of {number} would take {length} characters, more than the {limit} a version-10 QR code holds at error correction M: its text fields and photo hash take {size} bytes, at most {budget} fit; shorten the company name (GB18030: 2 bytes per Chinese character) or the licence number</source>
        <translation>证号 {number} 的证件需要 {length} 个字符，超过版本 10、纠错等级 M 的二维码可容纳的 {limit} 个字符：其文字字段和照片哈希共占 {size} 字节，最多只能容纳 {budget} 字节；请缩短公司名称（GB18030 编码下每个汉字占 2 字节）或许可证号</translation>
    </message>
    <message>
        <source>{source}: issuer {index} ({kid})</source>
        <translation>{source}：第 {index} 个签发机关（{kid}）</translation>
    </message>
    <message>
        <source>{where}: kid must be 8 upper-case hex digits</source>
        <translation>{where}：kid 必须是 8 位大写十六进制数字</translation>
    </message>
    <message>
        <source>{where}: public_key must be 32 bytes</source>
        <translation>{where}：public_key 必须为 32 字节</translation>
    </message>
    <message>
        <source>{where}: kid does not match the public key (the key&apos;s id is {kid})</source>
        <translation>{where}：kid 与公钥不符（该公钥的 kid 为 {kid}）</translation>
    </message>
    <message>
        <source>{where}: public_key is not an Ed25519 key</source>
        <translation>{where}：public_key 不是 Ed25519 公钥</translation>
    </message>
    <message>
        <source>{where}: name must be a non-empty single line</source>
        <translation>{where}：name 必须是非空的单行文字</translation>
    </message>
    <message>
        <source>{where}: valid_until is before valid_from</source>
        <translation>{where}：valid_until（有效期至）早于 valid_from（生效日期）</translation>
    </message>
    <message>
        <source>{where}: the same key id appears twice</source>
        <translation>{where}：同一密钥编号出现了两次</translation>
    </message>
    <message>
        <source>the key {key} appears twice in one object</source>
        <translation>同一 JSON 对象中字段 {key} 出现了两次</translation>
    </message>
    <message>
        <source>{where} must be a date written YYYY-MM-DD</source>
        <translation>{where} 必须是 YYYY-MM-DD 格式的日期</translation>
    </message>
    <message>
        <source>{where}: {value} is not a calendar date</source>
        <translation>{where}：{value} 不是有效日期</translation>
    </message>
    <message>
        <source>{source}: {size} bytes is too large for a trust list</source>
        <translation>{source}：文件过大（{size} 字节），超出信任列表的大小上限</translation>
    </message>
    <message>
        <source>trust list not found: {path}</source>
        <translation>找不到信任列表：{path}</translation>
    </message>
    <message>
        <source>cannot read trust list {path}: {error}</source>
        <translation>无法读取信任列表 {path}：{error}</translation>
    </message>
    <message>
        <source>{source} is not UTF-8 text</source>
        <translation>{source} 不是 UTF-8 编码的文本</translation>
    </message>
    <message>
        <source>{source}: {problem}</source>
        <translation>{source}：{problem}</translation>
    </message>
    <message>
        <source>{source} is not valid JSON: {error}</source>
        <translation>{source} 不是有效的 JSON：{error}</translation>
    </message>
    <message>
        <source>{source}: expected a JSON object</source>
        <translation>{source}：内容应为 JSON 对象</translation>
    </message>
    <message>
        <source>{source}: not a trust list (format is not {format})</source>
        <translation>{source}：不是信任列表（format 不是 {format}）</translation>
    </message>
    <message>
        <source>{source}: trust list version {version} is not supported (this program reads version {supported})</source>
        <translation>{source}：不支持信任列表版本 {version}（本程序读取的版本为 {supported}）</translation>
    </message>
    <message>
        <source>{where}: unknown field(s) {fields}</source>
        <translation>{where}：未知字段 {fields}</translation>
    </message>
    <message>
        <source>{source}: &apos;issuers&apos; must be a list</source>
        <translation>{source}：&apos;issuers&apos; 必须是列表</translation>
    </message>
    <message>
        <source>{source}: issuer {index}</source>
        <translation>{source}：第 {index} 个签发机关</translation>
    </message>
    <message>
        <source>{where} must be an object</source>
        <translation>{where} 必须是 JSON 对象</translation>
    </message>
    <message>
        <source>{where}: missing field(s) {fields}</source>
        <translation>{where}：缺少字段 {fields}</translation>
    </message>
    <message>
        <source>{where}: name must be text</source>
        <translation>{where}：name 必须是文本</translation>
    </message>
    <message>
        <source>{where}: public_key is not base64</source>
        <translation>{where}：public_key 不是 base64 编码</translation>
    </message>
    <message>
        <source>{where}: public_key is {size} bytes, an Ed25519 key is 32</source>
        <translation>{where}：public_key 为 {size} 字节，Ed25519 公钥应为 32 字节</translation>
    </message>
    <message>
        <source>{source}: {size} bytes is too large</source>
        <translation>{source}：文件过大（{size} 字节）</translation>
    </message>
    <message>
        <source>revocation list not found: {path}</source>
        <translation>找不到吊销列表：{path}</translation>
    </message>
    <message>
        <source>cannot read revocation list {path}: {error}</source>
        <translation>无法读取吊销列表 {path}：{error}</translation>
    </message>
    <message>
        <source>{source} is neither UTF-8 nor GB18030 text</source>
        <translation>{source} 既不是 UTF-8 也不是 GB18030 编码的文本</translation>
    </message>
    <message>
        <source>{source} line {number}: &apos;ISSUER&apos; must be followed by a key id of 8 hex digits</source>
        <translation>{source} 第 {number} 行：&apos;ISSUER&apos; 后面必须跟 8 位十六进制的密钥编号</translation>
    </message>
    <message>
        <source>{source} line {number}: {text} is not a certificate number</source>
        <translation>{source} 第 {number} 行：{text} 不是有效的证号</translation>
    </message>
    <message>
        <source>{text} is not a certificate number</source>
        <translation>{text} 不是有效的证号</translation>
    </message>
    <message>
        <source>{text} is not a key id of 8 hex digits</source>
        <translation>{text} 不是 8 位十六进制的密钥编号</translation>
    </message>
</context>
<context>
    <name>BadgeCli</name>
    <message>
        <source>Passphrase for the issuer key: </source>
        <translation>请输入签发密钥的口令： </translation>
    </message>
    <message>
        <source>error: {message}</source>
        <translation>错误：{message}</translation>
    </message>
    <message>
        <source>{path} already exists: an issuer key is never overwritten</source>
        <translation>{path} 已存在：签发密钥不会被覆盖</translation>
    </message>
    <message>
        <source>Issuer key {kid} created. Keep {file} and its passphrase at headquarters; give the laptops only the trust list (badge trust-export).</source>
        <translation>签发密钥 {kid} 已生成。{file} 及其口令请留在总部保管；督导笔记本只需下发信任列表（badge trust-export）。</translation>
    </message>
    <message>
        <source>roster not found: {path}</source>
        <translation>找不到名单文件：{path}</translation>
    </message>
    <message>
        <source>photo folder not found: {path}</source>
        <translation>找不到照片文件夹：{path}</translation>
    </message>
    <message>
        <source>cannot write the badges: {error}</source>
        <translation>无法写入证件文件：{error}</translation>
    </message>
    <message>
        <source>{issued} badges issued into {folder}; {skipped} roster rows skipped (see &apos;skipped&apos;)</source>
        <translation>已签发 {issued} 张证件，保存在 {folder}；名单中有 {skipped} 行被跳过（见 &apos;skipped&apos;）</translation>
    </message>
    <message>
        <source>{issued} badges issued into {folder}</source>
        <translation>已签发 {issued} 张证件，保存在 {folder}</translation>
    </message>
    <message>
        <source>image not found: {path}</source>
        <translation>找不到图片：{path}</translation>
    </message>
    <message>
        <source>{path} is too large a picture to be a photo of a badge; take or scale the photo to a few megapixels</source>
        <translation>{path} 图片过大，不可能是证件照片；请重新拍摄，或将照片缩小到几百万像素以内</translation>
    </message>
    <message>
        <source>cannot read {path} as an image: {error}</source>
        <translation>无法将 {path} 作为图片读取：{error}</translation>
    </message>
    <message>
        <source>no badge text given</source>
        <translation>未提供任何证件内容</translation>
    </message>
    <message>
        <source>--valid-until is before --valid-from</source>
        <translation>--valid-until 早于 --valid-from</translation>
    </message>
    <message>
        <source>--name must not be empty</source>
        <translation>--name 不能为空</translation>
    </message>
    <message>
        <source>cannot write {path}: {error}</source>
        <translation>无法写入 {path}：{error}</translation>
    </message>
    <message>
        <source>file not found: {file}</source>
        <translation>找不到文件：{file}</translation>
    </message>
</context>
<context>
    <name>BadgeIssue</name>
    <message>
        <source>roster error</source>
        <translation>名单数据有误</translation>
    </message>
    <message>
        <source>photo folder not found: {path}</source>
        <translation>找不到照片文件夹：{path}</translation>
    </message>
    <message>
        <source>row {row}: photo {file} cannot be read; the card shows a placeholder</source>
        <translation>第 {row} 行：无法读取照片 {file}，证件上以占位图代替</translation>
    </message>
</context>
<context>
    <name>BadgeKeys</name>
    <message>
        <source>the passphrase must have at least {count} characters</source>
        <translation>口令至少需要 {count} 个字符</translation>
    </message>
    <message>
        <source>{path} already exists: an issuer key is never overwritten; choose another folder or move the old key away first</source>
        <translation>{path} 已存在：签发密钥不会被覆盖；请选择其他文件夹，或先将旧密钥移走</translation>
    </message>
    <message>
        <source>cannot create {path}: {error}</source>
        <translation>无法创建 {path}：{error}</translation>
    </message>
    <message>
        <source>cannot write the key files in {path}: {error}</source>
        <translation>无法在 {path} 中写入密钥文件：{error}</translation>
    </message>
    <message>
        <source>{path} is too large to be a key file</source>
        <translation>{path} 过大，不是密钥文件</translation>
    </message>
    <message>
        <source>key file not found: {path}</source>
        <translation>找不到密钥文件：{path}</translation>
    </message>
    <message>
        <source>cannot read {path}: {error}</source>
        <translation>无法读取 {path}：{error}</translation>
    </message>
    <message>
        <source>{path} is not encrypted: issuer keys must be protected by a passphrase (create one with &apos;badge keygen&apos;)</source>
        <translation>{path} 未加密：签发密钥必须用口令保护（请用 &apos;badge keygen&apos; 生成）</translation>
    </message>
    <message>
        <source>wrong passphrase for {path}</source>
        <translation>{path} 的口令错误</translation>
    </message>
    <message>
        <source>{path} is not a private key file</source>
        <translation>{path} 不是私钥文件</translation>
    </message>
    <message>
        <source>{path} is not an Ed25519 key</source>
        <translation>{path} 不是 Ed25519 密钥</translation>
    </message>
    <message>
        <source>{path} is not a public key file</source>
        <translation>{path} 不是公钥文件</translation>
    </message>
</context>
<context>
    <name>CameraPanel</name>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Start c&amp;amera</source>
        <translation>打开摄像头(&amp;A)</translation>
    </message>
    <message>
        <source>No camera found. Scan with the USB scanner, type the number, or open a photo of the badge.</source>
        <translation>未找到摄像头。请使用扫码枪、手工输入证号，或打开证件照片识别。</translation>
    </message>
    <message>
        <source>The camera stopped: {error}</source>
        <translation>摄像头已停止：{error}</translation>
    </message>
    <message>
        <source>Stop c&amp;amera</source>
        <translation>关闭摄像头(&amp;A)</translation>
    </message>
    <message>
        <source>Hold the badge&apos;s QR code in front of the camera.</source>
        <translation>请将证件二维码对准摄像头。</translation>
    </message>
</context>
<context>
    <name>CertificatePage</name>
    <message>
        <source>Signing certificate</source>
        <translation>签名证书</translation>
    </message>
    <message>
        <source>Your evaluations are signed with it: anyone can then check who signed them and that nothing changed afterwards.</source>
        <translation>您的考评用它签名：任何人都能核实是谁签的名，以及签名后没有任何改动。</translation>
    </message>
    <message>
        <source>Create my certificate now</source>
        <translation>现在创建我的证书</translation>
    </message>
    <message>
        <source>Passphrase:</source>
        <translation>口令：</translation>
    </message>
    <message>
        <source>The same again:</source>
        <translation>再输入一次：</translation>
    </message>
    <message>
        <source>The passphrase protects the certificate&apos;s key: you type it each time you sign. It may differ from the profile password.</source>
        <translation>口令保护证书的密钥：每次签名时都要输入。它可以与数据档案密码不同。</translation>
    </message>
    <message>
        <source>Import the certificate headquarters gave me (.p12 file)</source>
        <translation>导入总部发给我的证书（.p12 文件）</translation>
    </message>
    <message>
        <source>Next asks for the file and its passphrase.</source>
        <translation>点击“下一步”后选择文件并输入其口令。</translation>
    </message>
    <message>
        <source>This profile signs as {name}.</source>
        <translation>本数据档案以 {name} 的身份签名。</translation>
    </message>
    <message>
        <source>Keep this certificate</source>
        <translation>保留这张证书</translation>
    </message>
    <message>
        <source>This profile has no signing certificate yet.</source>
        <translation>本数据档案还没有签名证书。</translation>
    </message>
    <message>
        <source>Later: your first signature will create one</source>
        <translation>以后再说：第一次签名时会创建</translation>
    </message>
    <message>
        <source>The two passphrases differ.</source>
        <translation>两次输入的口令不一致。</translation>
    </message>
    <message>
        <source>Creating your signing key: a moment…</source>
        <translation>正在创建签名密钥，请稍候…</translation>
    </message>
    <message>
        <source>Headquarters&apos; certificate is saved in your profile.</source>
        <translation>总部的证书已保存到您的数据档案中。</translation>
    </message>
    <message>
        <source>Your signing certificate is created and saved in your profile.</source>
        <translation>签名证书已创建并保存到您的数据档案中。</translation>
    </message>
</context>
<context>
    <name>Checklist</name>
    <message>
        <source>no checklist template {template}</source>
        <translation>找不到检查表模板 {template}</translation>
    </message>
    <message>
        <source>no checklist template {template} v{version}</source>
        <translation>找不到检查表模板 {template}（第 {version} 版）</translation>
    </message>
</context>
<context>
    <name>ChecklistPanel</name>
    <message>
        <source>The checklist appears after a scan.</source>
        <translation>扫码后在此显示检查表。</translation>
    </message>
</context>
<context>
    <name>CommandLine</name>
    <message>
        <source>cannot read the {what} file {path}: {error}</source>
        <translation>无法读取{what}文件 {path}：{error}</translation>
    </message>
    <message>
        <source>the {what} file {path} is empty</source>
        <translation>{what}文件 {path} 为空</translation>
    </message>
    <message>
        <source>The same {what} again: </source>
        <translation>请再次输入{what}： </translation>
    </message>
    <message>
        <source>the two {what}s differ; nothing was written</source>
        <translation>两次输入的{what}不一致；未写入任何内容</translation>
    </message>
    <message>
        <source>no {what} given</source>
        <translation>未输入{what}</translation>
    </message>
    <message>
        <source>passphrase</source>
        <translation>口令</translation>
    </message>
    <message>
        <source>password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>{problem}; give it with --password-file F (or the environment variable VENUE_SUPERVISOR_PASSWORD_FILE)</source>
        <translation>{problem}；请用 --password-file F（或环境变量 VENUE_SUPERVISOR_PASSWORD_FILE）提供密码</translation>
    </message>
    <message>
        <source>give the current password with --password-file F (or VENUE_SUPERVISOR_PASSWORD_FILE)</source>
        <translation>请用 --password-file F（或 VENUE_SUPERVISOR_PASSWORD_FILE）提供当前密码</translation>
    </message>
</context>
<context>
    <name>CompanyHeadBox</name>
    <message>
        <source>Company&apos;s on-site head</source>
        <translation>被考评单位现场负责人</translation>
    </message>
    <message>
        <source>Name of the company&apos;s on-site head</source>
        <translation>现场负责人姓名</translation>
    </message>
    <message>
        <source>Head signs on the &amp;pad…</source>
        <translation>负责人在签名板签名(&amp;P)…</translation>
    </message>
    <message>
        <source>Head refuses t&amp;o sign…</source>
        <translation>负责人拒签(&amp;O)…</translation>
    </message>
    <message>
        <source>Withdr&amp;aw</source>
        <translation>撤销(&amp;A)</translation>
    </message>
    <message>
        <source>Not yet signed: hand the laptop to the company&apos;s head to sign, or record a refusal.</source>
        <translation>尚未签名：请将电脑交给公司现场负责人签名，或记录拒签。</translation>
    </message>
    <message>
        <source>Signed by the company&apos;s head.</source>
        <translation>公司现场负责人已签名。</translation>
    </message>
    <message>
        <source>Refused to sign at {when}: {reason}</source>
        <translation>{when} 拒签，理由：{reason}</translation>
    </message>
    <message>
        <source>Enter the name of the company&apos;s on-site head first.</source>
        <translation>请先填写公司现场负责人姓名。</translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <source>Posts visited</source>
        <translation>已检查岗位</translation>
    </message>
    <message>
        <source>Guards checked / rostered</source>
        <translation>已检查 / 在册保安员</translation>
    </message>
    <message>
        <source>Posts absent / understaffed</source>
        <translation>缺岗 / 缺员岗位</translation>
    </message>
    <message>
        <source>Posts without a guard</source>
        <translation>未安排保安员的岗位</translation>
    </message>
    <message>
        <source>Findings (not corrected)</source>
        <translation>问题数（未整改）</translation>
    </message>
    <message>
        <source>Scans recorded</source>
        <translation>扫码记录数</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>公司</translation>
    </message>
    <message>
        <source>Findings per category</source>
        <translation>按类别统计问题</translation>
    </message>
    <message>
        <source>Findings per company</source>
        <translation>按公司统计问题</translation>
    </message>
</context>
<context>
    <name>Domain</name>
    <message>
        <source>Assigned to this post</source>
        <translation>本岗位人员</translation>
    </message>
    <message>
        <source>Assigned elsewhere</source>
        <translation>非本岗位人员</translation>
    </message>
    <message>
        <source>Not on the roster</source>
        <translation>不在名单内</translation>
    </message>
    <message>
        <source>Other company: subcontracted or borrowed guard</source>
        <translation>他公司人员：疑似转包或外借</translation>
    </message>
    <message>
        <source>Background check failed</source>
        <translation>背景审查未通过</translation>
    </message>
    <message>
        <source>Not trained before the job</source>
        <translation>未经岗前培训</translation>
    </message>
    <message>
        <source>Badge not genuine or not valid</source>
        <translation>证件无效或非真实证件</translation>
    </message>
    <message>
        <source>Unreadable scan</source>
        <translation>无法识别</translation>
    </message>
    <message>
        <source>Post label scanned</source>
        <translation>已扫描岗位码</translation>
    </message>
    <message>
        <source>Background check not finished</source>
        <translation>背景审查尚未完成</translation>
    </message>
    <message>
        <source>Electronic certificate verified</source>
        <translation>电子证书验证通过</translation>
    </message>
    <message>
        <source>Unverified badge (plain certificate number)</source>
        <translation>未验证证件（仅含证号的旧式二维码）</translation>
    </message>
    <message>
        <source>Damaged or unknown code: not a valid badge</source>
        <translation>二维码损坏或格式不明：不是有效证件</translation>
    </message>
    <message>
        <source>Issuer not trusted: possible forgery</source>
        <translation>签发机关不受信任：疑似伪造</translation>
    </message>
    <message>
        <source>Signature does not match: forged or altered</source>
        <translation>签名不符：证件被伪造或篡改</translation>
    </message>
    <message>
        <source>Certificate not yet valid</source>
        <translation>证件尚未生效</translation>
    </message>
    <message>
        <source>Certificate expired</source>
        <translation>证件已过期</translation>
    </message>
    <message>
        <source>Certificate revoked</source>
        <translation>证件已吊销</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>低</translation>
    </message>
    <message>
        <source>Medium</source>
        <translation>中</translation>
    </message>
    <message>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <source>Commercial event</source>
        <translation>商业活动</translation>
    </message>
    <message>
        <source>Government event</source>
        <translation>政务活动</translation>
    </message>
    <message>
        <source>Police lead, security guards assist</source>
        <translation>以警察安保力量为主，保安力量为辅</translation>
    </message>
    <message>
        <source>Security guards lead, police assist</source>
        <translation>以保安为主，警察为辅</translation>
    </message>
    <message>
        <source>Security guards lead, staff and volunteers assist, police supervise</source>
        <translation>以保安为主、工作人员和志愿者为辅、公安机关加强监管</translation>
    </message>
    <message>
        <source>Passed</source>
        <translation>通过</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>未通过</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>待审查</translation>
    </message>
    <message>
        <source>Corrected on the spot</source>
        <translation>当场纠正</translation>
    </message>
    <message>
        <source>Not corrected</source>
        <translation>未纠正</translation>
    </message>
    <message>
        <source>Absent</source>
        <translation>缺岗</translation>
    </message>
    <message>
        <source>Understaffed</source>
        <translation>缺员</translation>
    </message>
    <message>
        <source>Uniform</source>
        <translation>着装规范</translation>
    </message>
    <message>
        <source>Certificate carried</source>
        <translation>证件携带</translation>
    </message>
    <message>
        <source>Grooming and posture</source>
        <translation>仪容站姿</translation>
    </message>
    <message>
        <source>Duty performed</source>
        <translation>履行职能</translation>
    </message>
    <message>
        <source>Staffing and certification</source>
        <translation>人员资质</translation>
    </message>
    <message>
        <source>Post staffing</source>
        <translation>岗位在岗</translation>
    </message>
    <message>
        <source>Guard not on the roster</source>
        <translation>人员不在报备名单内</translation>
    </message>
    <message>
        <source>Guard of another company (subcontracting / borrowed)</source>
        <translation>他公司人员（转包 / 外借）</translation>
    </message>
    <message>
        <source>Guard failed the background check</source>
        <translation>背景审查未通过人员上岗</translation>
    </message>
    <message>
        <source>Guard whose background check is not finished</source>
        <translation>背景审查未完成人员上岗</translation>
    </message>
    <message>
        <source>Guard without pre-job training</source>
        <translation>未经岗前培训人员上岗</translation>
    </message>
    <message>
        <source>Badge forged, expired, revoked or not readable</source>
        <translation>证件伪造、过期、吊销或无法识别</translation>
    </message>
    <message>
        <source>Screening</source>
        <translation>安检</translation>
    </message>
    <message>
        <source>Ticket check</source>
        <translation>验票</translation>
    </message>
    <message>
        <source>Patrol</source>
        <translation>巡逻</translation>
    </message>
    <message>
        <source>Guarding</source>
        <translation>守卫</translation>
    </message>
    <message>
        <source>Order keeping</source>
        <translation>秩序维护</translation>
    </message>
</context>
<context>
    <name>EnrolDialog</name>
    <message>
        <source>Enrol with headquarters</source>
        <translation>在总部注册本机</translation>
    </message>
    <message>
        <source>the one-time code from headquarters</source>
        <translation>总部提供的一次性注册码</translation>
    </message>
    <message>
        <source>optional: SHA-256 of HQ&apos;s certificate</source>
        <translation>可选：总部证书的 SHA-256 指纹</translation>
    </message>
    <message>
        <source>Headquarters address:</source>
        <translation>总部地址：</translation>
    </message>
    <message>
        <source>One-time code:</source>
        <translation>一次性注册码：</translation>
    </message>
    <message>
        <source>Certificate fingerprint:</source>
        <translation>证书指纹：</translation>
    </message>
    <message>
        <source>Enrol</source>
        <translation>注册</translation>
    </message>
    <message>
        <source>Fill in the headquarters address and the code.</source>
        <translation>请填写总部地址和注册码。</translation>
    </message>
    <message>
        <source>Contacting headquarters…</source>
        <translation>正在连接总部…</translation>
    </message>
    <message>
        <source>Enrolled</source>
        <translation>注册成功</translation>
    </message>
    <message>
        <source>This laptop is enrolled with headquarters at {hq} for supervisor {name}. Changes are now sent there automatically.</source>
        <translation>本机已在总部（{hq}）注册，督导员：{name}。此后的更改将自动同步到总部。</translation>
    </message>
    <message>
        <source>(not named)</source>
        <translation>（未提供）</translation>
    </message>
    <message>
        <source>Not enrolled, nothing was changed: {error}</source>
        <translation>未注册，未做任何更改：{error}</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>Another program is using the profile ({path}): the app open in another window, or a backup or copying tool. Close it, then try again; what was saved before is kept.</source>
        <translation>另一个程序正在使用此数据档案（{path}）：可能是在另一个窗口中打开的本程序，或备份、复制工具。请关闭它后重试；之前保存的内容不会丢失。</translation>
    </message>
    <message>
        <source>The disk holding the profile ({path}) failed to read or write: was a USB drive pulled out? Put it back or check the disk, then try again; what was saved before is kept.</source>
        <translation>存放数据档案的磁盘（{path}）读写失败：是否拔出了 U 盘？请重新插好或检查磁盘，然后重试；之前保存的内容不会丢失。</translation>
    </message>
    <message>
        <source>The profile&apos;s database {path} cannot be read: it is damaged, or the key file beside it belongs to another profile. Restore the profile folder from a backup; nothing in it was changed.</source>
        <translation>无法读取数据档案的数据库 {path}：它已损坏，或其旁边的密钥文件属于另一个数据档案。请从备份恢复数据档案文件夹；其中内容未被改动。</translation>
    </message>
    <message>
        <source>The profile&apos;s database {path} is damaged: it can no longer be read as a database. Restore the profile folder from a backup; nothing in it was changed.</source>
        <translation>数据档案的数据库 {path} 已损坏，无法再作为数据库读取。请从备份恢复数据档案文件夹；其中内容未被改动。</translation>
    </message>
    <message>
        <source>The disk is full. Free some space (delete or move files you do not need), then try again; what was saved before is kept.</source>
        <translation>磁盘已满。请先腾出空间（删除或移走不需要的文件），再重试；之前保存的内容不受影响。</translation>
    </message>
    <message>
        <source>The profile cannot be written: its folder or its database ({path}) is read-only, or the disk is. Give this user the right to write there, or use a profile on a writable disk, then try again; what was saved before is kept.</source>
        <translation>无法写入数据档案：其文件夹或数据库（{path}）为只读，或磁盘为只读。请授予当前用户写入权限，或使用可写磁盘上的数据档案，然后重试；之前保存的内容不会丢失。</translation>
    </message>
    <message>
        <source>A fault in the program stopped this. Nothing saved before was lost; the details are in the log (venue-supervisor.log in the profile folder).</source>
        <translation>程序出现故障，此项操作未完成。之前保存的内容没有丢失；详细情况记录在日志中（数据档案文件夹中的 venue-supervisor.log）。</translation>
    </message>
</context>
<context>
    <name>Evaluation</name>
    <message>
        <source>the evaluation is signed and can no longer be changed: start a new version to correct it</source>
        <translation>考评已签名，不能再修改：如需更正，请新建版本</translation>
    </message>
    <message>
        <source>no signature drawn</source>
        <translation>尚未在签名板上签名</translation>
    </message>
    <message>
        <source>the signature image is too large</source>
        <translation>签名图像过大</translation>
    </message>
    <message>
        <source>the signature is not a readable image: {error}</source>
        <translation>签名图像无法读取：{error}</translation>
    </message>
    <message>
        <source>no evaluation {id}</source>
        <translation>找不到考评 {id}</translation>
    </message>
    <message>
        <source>no event {id}</source>
        <translation>找不到活动 {id}</translation>
    </message>
    <message>
        <source>unknown recommendation {value}</source>
        <translation>无法识别的推荐意见 {value}</translation>
    </message>
    <message>
        <source>enter the name of the company&apos;s on-site head first</source>
        <translation>请先填写公司现场负责人姓名</translation>
    </message>
    <message>
        <source>write down the reason the company&apos;s on-site head gave for refusing to sign</source>
        <translation>请写明公司现场负责人拒签的理由</translation>
    </message>
    <message>
        <source>only a signed evaluation is corrected by a new version</source>
        <translation>只有已签名的考评才需新建版本更正</translation>
    </message>
    <message>
        <source>version {newer} already corrects version {version}</source>
        <translation>第 {version} 版已由第 {newer} 版更正</translation>
    </message>
    <message>
        <source>the scoring rules version {version} set for this event are missing from this profile: take the event down from headquarters again</source>
        <translation>本活动使用的第 {version} 版计分规则不在本数据档案中：请重新从总部下载该活动</translation>
    </message>
    <message>
        <source>this evaluation was signed with scoring rules version {version}, which this copy of the program does not have: install the newer program to show it</source>
        <translation>此考评签名时使用的是第 {version} 版计分规则，本程序没有这一版：请安装更新的程序后再查看</translation>
    </message>
    <message>
        <source>only the newest version of an evaluation can be signed</source>
        <translation>只能对考评的最新版本签名</translation>
    </message>
    <message>
        <source>the evaluation changed after the company&apos;s on-site head signed it: ask the head to sign again, or record the refusal</source>
        <translation>公司现场负责人签名后考评内容又有改动：请负责人重新签名，或记录拒签</translation>
    </message>
    <message>
        <source>document number {number} was taken by another signing at the same moment: nothing was signed, sign again</source>
        <translation>文号 {number} 已被同时进行的另一次签名占用：本次未签名，请重新签名</translation>
    </message>
</context>
<context>
    <name>EvaluationPage</name>
    <message>
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Deducted</source>
        <translation>扣分</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>分值</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Post</source>
        <translation>岗位</translation>
    </message>
    <message>
        <source>Guard</source>
        <translation>保安员</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>公司</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>记录数</translation>
    </message>
    <message>
        <source>By category</source>
        <translation>按类别</translation>
    </message>
    <message>
        <source>Deductions and findings</source>
        <translation>扣分与问题</translation>
    </message>
    <message>
        <source>Recommend for future events</source>
        <translation>推荐承接今后活动</translation>
    </message>
    <message>
        <source>Recommend with conditions (rectify first)</source>
        <translation>整改后推荐</translation>
    </message>
    <message>
        <source>Do not recommend</source>
        <translation>不予推荐</translation>
    </message>
    <message>
        <source>Overall comment: how the company performed, what was corrected, what must change</source>
        <translation>综合意见：公司履职情况、当场纠正情况、需整改事项</translation>
    </message>
    <message>
        <source>Supervisor&apos;s opinion</source>
        <translation>督导员意见</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>督导员</translation>
    </message>
    <message>
        <source>Recommendation</source>
        <translation>推荐意见</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>综合意见</translation>
    </message>
    <message>
        <source>Open PDF</source>
        <translation>打开 PDF</translation>
    </message>
    <message>
        <source>Signature</source>
        <translation>签名</translation>
    </message>
    <message>
        <source>Preview of the PDF</source>
        <translation>PDF 预览</translation>
    </message>
    <message>
        <source>Coverage: {checked} of {rostered} rostered guards checked ({percent:.0f}%)</source>
        <translation>覆盖率：在册 {rostered} 人中已检查 {checked} 人（{percent:.0f}%）</translation>
    </message>
    <message>
        <source> (corrected on the spot)</source>
        <translation>（已当场纠正）</translation>
    </message>
    <message>
        <source>Excellent</source>
        <translation>优秀</translation>
    </message>
    <message>
        <source>Good</source>
        <translation>良好</translation>
    </message>
    <message>
        <source>Pass</source>
        <translation>合格</translation>
    </message>
    <message>
        <source>Fail</source>
        <translation>不合格</translation>
    </message>
    <message>
        <source>Not yet evaluated: the draft is created when you save the comment or sign.</source>
        <translation>尚未考评：保存意见或签名时创建考评草稿。</translation>
    </message>
    <message>
        <source>Signed version {version} on {when} · document {doc}. The evaluation and the inspections behind it are read-only; a correction starts a new version.</source>
        <translation>第 {version} 版已于 {when} 签名 · 文书编号 {doc}。考评及其依据的检查记录已锁定，如需更正请新建版本。</translation>
    </message>
    <message>
        <source>Draft, version {version}: not signed.</source>
        <translation>草稿，第 {version} 版：尚未签名。</translation>
    </message>
    <message>
        <source>Rendering…</source>
        <translation>正在生成…</translation>
    </message>
    <message>
        <source>Save &amp;comment</source>
        <translation>保存意见(&amp;C)</translation>
    </message>
    <message>
        <source>Only if the sample could not be checked whole: why the grade should stand</source>
        <translation>仅在样本未能全部检查时填写：考评等级应予确认的理由</translation>
    </message>
    <message>
        <source>Random sample</source>
        <translation>随机抽样</translation>
    </message>
    <message>
        <source>Clear signat&amp;ure</source>
        <translation>清除签名(&amp;U)</translation>
    </message>
    <message>
        <source>Si&amp;gn and lock the evaluation</source>
        <translation>签名并锁定考评(&amp;G)</translation>
    </message>
    <message>
        <source>Pri&amp;nt…</source>
        <translation>打印(&amp;N)…</translation>
    </message>
    <message>
        <source>Open P&amp;DF</source>
        <translation>打开 PDF(&amp;D)</translation>
    </message>
    <message>
        <source>Correct: start a ne&amp;w version</source>
        <translation>更正：新建版本(&amp;W)</translation>
    </message>
    <message>
        <source>&amp;Import certificate (.p12)…</source>
        <translation>导入数字证书(&amp;I) (.p12)…</translation>
    </message>
    <message>
        <source>&amp;Refresh preview</source>
        <translation>刷新预览(&amp;R)</translation>
    </message>
    <message>
        <source>{checked} of {size} sampled guards checked (GB/T 2828.1, level II, code {code}).</source>
        <translation>样本 {size} 人中已检查 {checked} 人（GB/T 2828.1，一般检验水平Ⅱ，样本量字码 {code}）。</translation>
    </message>
    <message>
        <source>The sample is complete: the grade is final.</source>
        <translation>样本已全部检查：考评等级为最终结果。</translation>
    </message>
    <message>
        <source>Until the whole sample is checked the grade is provisional (at {share} % with a written reason, final).</source>
        <translation>样本全部检查前，考评等级为暂定（检查达到 {share}% 并书面说明理由的，为最终结果）。</translation>
    </message>
    <message>
        <source>{grade} (provisional)</source>
        <translation>{grade}（暂定）</translation>
    </message>
    <message>
        <source>{pages} page(s)</source>
        <translation>共 {pages} 页</translation>
    </message>
    <message>
        <source>The preview failed: {error}</source>
        <translation>预览失败：{error}</translation>
    </message>
    <message>
        <source>Sign</source>
        <translation>签名</translation>
    </message>
    <message>
        <source>Sign on the pad first (mouse, pen or finger).</source>
        <translation>请先在签名板上签名（鼠标、手写笔或手指）。</translation>
    </message>
    <message>
        <source>Enter the supervisor&apos;s name first.</source>
        <translation>请先填写督导员姓名。</translation>
    </message>
    <message>
        <source>Signing key</source>
        <translation>签名密钥</translation>
    </message>
    <message>
        <source>Choose a passphrase for your new signing key:</source>
        <translation>请为新的签名密钥设置口令：</translation>
    </message>
    <message>
        <source>Passphrase of your signing key:</source>
        <translation>请输入签名密钥口令：</translation>
    </message>
    <message>
        <source>Certificate from headquarters</source>
        <translation>总部颁发的数字证书</translation>
    </message>
    <message>
        <source>PKCS#12 (*.p12 *.pfx)</source>
        <translation>PKCS#12 证书 (*.p12 *.pfx)</translation>
    </message>
    <message>
        <source>Certificate</source>
        <translation>数字证书</translation>
    </message>
    <message>
        <source>Passphrase of {file}:</source>
        <translation>{file} 的口令：</translation>
    </message>
    <message>
        <source>The certificate will sign your evaluations.</source>
        <translation>今后的考评将使用该证书签名。</translation>
    </message>
    <message>
        <source>Comprehensive evaluation</source>
        <translation>综合考评</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>打印</translation>
    </message>
    <message>
        <source>The printer could not be used. Check that it is switched on and chosen in the print dialog, then print again.</source>
        <translation>无法使用打印机。请确认打印机已开机并已在打印对话框中选中，然后重新打印。</translation>
    </message>
    <message>
        <source>No PDF viewer is set up on this computer. The file is here:
{path}</source>
        <translation>本机未配置 PDF 阅读器。文件位置：
{path}</translation>
    </message>
    <message>
        <source>New version</source>
        <translation>新建版本</translation>
    </message>
    <message>
        <source>Start version {version}? The signed version stays as it is; new scans and ticks go into the new one.</source>
        <translation>新建第 {version} 版？已签名的版本保持不变；新的扫码和检查记录计入新版本。</translation>
    </message>
</context>
<context>
    <name>EventPage</name>
    <message>
        <source>On the &amp;black list</source>
        <translation>列入黑名单(&amp;B)</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>活动</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Venue</source>
        <translation>场馆</translation>
    </message>
    <message>
        <source>Organizer</source>
        <translation>主办方</translation>
    </message>
    <message>
        <source>Starts</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Ends</source>
        <translation>结束时间</translation>
    </message>
    <message>
        <source>Expected attendance</source>
        <translation>预计参加人数</translation>
    </message>
    <message>
        <source>Venue capacity</source>
        <translation>场馆容量</translation>
    </message>
    <message>
        <source>Nature</source>
        <translation>活动性质</translation>
    </message>
    <message>
        <source>Risk level</source>
        <translation>风险等级</translation>
    </message>
    <message>
        <source>Staffing mode</source>
        <translation>安保工作模式</translation>
    </message>
    <message>
        <source>Contracted security company</source>
        <translation>承接安保的保安服务公司</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>公司</translation>
    </message>
    <message>
        <source>Licence number</source>
        <translation>许可证号</translation>
    </message>
    <message>
        <source>Credit grade</source>
        <translation>信用等级</translation>
    </message>
    <message>
        <source>Save eve&amp;nt</source>
        <translation>保存活动(&amp;N)</translation>
    </message>
    <message>
        <source>Ne&amp;w event</source>
        <translation>新建活动(&amp;W)</translation>
    </message>
    <message>
        <source>Expected attendance exceeds the venue&apos;s capacity</source>
        <translation>预计参加人数超过场馆容量</translation>
    </message>
    <message>
        <source>⚠ This company is on the black list. It should not provide security for this event: report to headquarters.</source>
        <translation>⚠ 该公司已列入黑名单，不应承接本次活动安保，请立即报告总部。</translation>
    </message>
    <message>
        <source>The event needs a name.</source>
        <translation>请填写活动名称。</translation>
    </message>
    <message>
        <source>The event ends before it starts.</source>
        <translation>结束时间早于开始时间。</translation>
    </message>
</context>
<context>
    <name>FindingEditor</name>
    <message>
        <source>Finding</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>What was wrong, what was said (Enter saves)</source>
        <translation>问题情况及现场指出内容（回车保存）</translation>
    </message>
    <message>
        <source>Corrected on the spot (F3)</source>
        <translation>当场纠正 (F3)</translation>
    </message>
    <message>
        <source>&amp;Not corrected</source>
        <translation>未纠正(&amp;N)</translation>
    </message>
    <message>
        <source>Attach &amp;photo…</source>
        <translation>添加照片(&amp;P)…</translation>
    </message>
    <message>
        <source>Ta&amp;ke photo</source>
        <translation>拍照(&amp;K)</translation>
    </message>
    <message>
        <source>Select a finding (an item marked ✗) to add a note, its correction state or a photo.</source>
        <translation>选择一个问题（标为 ✗ 的项目）以填写说明、整改情况或添加照片。</translation>
    </message>
    <message>
        <source>no photo</source>
        <translation>无照片</translation>
    </message>
    <message>
        <source>Evidence photo</source>
        <translation>取证照片</translation>
    </message>
    <message>
        <source>Images (*.jpg *.jpeg *.png *.bmp *.heic)</source>
        <translation>图片 (*.jpg *.jpeg *.png *.bmp *.heic)</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <source>Venue Supervisor: set-up</source>
        <translation>大型活动安保现场督导：初始设置</translation>
    </message>
    <message>
        <source>Stop the set-up? Nothing is saved yet: it starts again at the next start.</source>
        <translation>要停止设置吗？目前还没有保存任何内容，下次启动时将重新开始。</translation>
    </message>
    <message>
        <source>Stop the set-up? What you saved stays in your encrypted profile: the next start asks its password and goes on from your name.</source>
        <translation>要停止设置吗？已保存的内容留在您的加密数据档案中：下次启动时输入密码后，从填写姓名处继续。</translation>
    </message>
    <message>
        <source>Stop the set-up</source>
        <translation>停止设置</translation>
    </message>
</context>
<context>
    <name>HeadSignatureDialog</name>
    <message>
        <source>Signature of the company&apos;s on-site head</source>
        <translation>被考评单位现场负责人签名</translation>
    </message>
    <message>
        <source>C&amp;lear</source>
        <translation>清除(&amp;L)</translation>
    </message>
    <message>
        <source>{name}, please sign on the pad below to acknowledge the evaluation.</source>
        <translation>{name}，请在下方签名板上签名，确认本次考评。</translation>
    </message>
    <message>
        <source>Nothing is drawn on the pad yet.</source>
        <translation>签名板上还没有签名。</translation>
    </message>
</context>
<context>
    <name>HeadquartersPage</name>
    <message>
        <source>Headquarters</source>
        <translation>总部</translation>
    </message>
    <message>
        <source>Enrolled, this laptop takes events down from headquarters and sends your inspections back.</source>
        <translation>注册后，本机可以从总部获取活动，并把您的检查记录发回总部。</translation>
    </message>
    <message>
        <source>Enrol with headquarters…</source>
        <translation>在总部注册本机…</translation>
    </message>
    <message>
        <source>You need headquarters&apos; address and the one-time code it gave you. No code yet? Click Next: you can enrol later from the Sync menu, and what you record meanwhile stays on this laptop until then.</source>
        <translation>注册需要总部地址和总部发给您的一次性注册码。还没有注册码？点击“下一步”：以后可以在“同步”菜单中注册，在此之前记录的内容都保存在本机。</translation>
    </message>
    <message>
        <source>This laptop is enrolled with headquarters at {hq}.</source>
        <translation>本机已在总部 {hq} 注册。</translation>
    </message>
    <message>
        <source>Enrol again with another code…</source>
        <translation>用新的注册码重新注册…</translation>
    </message>
    <message>
        <source>This laptop is not enrolled yet.</source>
        <translation>本机尚未在总部注册。</translation>
    </message>
</context>
<context>
    <name>HelpMenu</name>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>User guide</source>
        <translation>使用指南</translation>
    </message>
    <message>
        <source>About Venue Supervisor</source>
        <translation>关于</translation>
    </message>
    <message>
        <source>Open the demonstration</source>
        <translation>打开演示</translation>
    </message>
    <message>
        <source>The demonstration could not be started ({program}).</source>
        <translation>无法启动演示（{program}）。</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <source>Import roster: {file}</source>
        <translation>导入名单：{file}</translation>
    </message>
    <message>
        <source>Reading {file}…</source>
        <translation>正在读取 {file}…</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>行号</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>列</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>{rows} guards in the file, {valid} can be imported; {errors} error(s), {warnings} warning(s). Rows with an error are left out; nothing is written until you press Import.</source>
        <translation>文件中共 {rows} 名保安员，可导入 {valid} 名；错误 {errors} 处，提示 {warnings} 处。有错误的行不导入；点击“导入”之前不会写入任何数据。</translation>
    </message>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Import {count} valid rows</source>
        <translation>导入 {count} 条有效记录</translation>
    </message>
    <message>
        <source>Import failed</source>
        <translation>导入失败</translation>
    </message>
    <message>
        <source>Nothing was imported: {error}</source>
        <translation>未导入任何数据：{error}</translation>
    </message>
</context>
<context>
    <name>InspectionPage</name>
    <message>
        <source>Find a post (zone, name, task)</source>
        <translation>查找岗位（区域、名称、任务）</translation>
    </message>
    <message>
        <source>No posts yet. Import the company&apos;s roster (File menu, Ctrl+I) or add posts on the Posts tab.</source>
        <translation>尚无岗位。请导入保安公司的人员名单（“文件”菜单，Ctrl+I），或在“岗位”页添加岗位。</translation>
    </message>
    <message>
        <source>checked / assigned guards per post</source>
        <translation>各岗位已检查 / 已安排人数</translation>
    </message>
    <message>
        <source>Post absent (F6)</source>
        <translation>岗位缺岗 (F6)</translation>
    </message>
    <message>
        <source>Understaffed (F7)</source>
        <translation>缺员 (F7)</translation>
    </message>
    <message>
        <source>Posts</source>
        <translation>岗位</translation>
    </message>
    <message>
        <source>Sample</source>
        <translation>抽样</translation>
    </message>
    <message>
        <source>Scan the badge, or type the certificate number and press Enter</source>
        <translation>扫描保安员证，或输入证号后按回车</translation>
    </message>
    <message>
        <source>All compliant (F2)</source>
        <translation>全部合格 (F2)</translation>
    </message>
    <message>
        <source>Undo (Ctrl+Z)</source>
        <translation>撤销 (Ctrl+Z)</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>督导进度</translation>
    </message>
    <message>
        <source>Keys
Enter / Tab: scan
F2: all compliant
Ctrl+1…9, 0: toggle item 1…10
F3: corrected on the spot
F6 / F7: post absent / understaffed
Ctrl+Z: undo
Esc: clear</source>
        <translation>快捷键
回车 / Tab：扫码确认
F2：全部合格
Ctrl+1…9、0：切换第 1…10 项
F3：当场纠正
F6 / F7：缺岗 / 缺员
Ctrl+Z：撤销
Esc：清除</translation>
    </message>
    <message>
        <source>Ctrl+Shift+V: read the badge in an image copied to the clipboard</source>
        <translation>Ctrl+Shift+V：识别剪贴板中图片上的证件</translation>
    </message>
    <message>
        <source>{name} · {task}</source>
        <translation>{name} · {task}</translation>
    </message>
    <message>
        <source>{name} · {task} · {checked}/{assigned}</source>
        <translation>{name} · {task} · {checked}/{assigned}</translation>
    </message>
    <message>
        <source>no guard assigned</source>
        <translation>未安排人员</translation>
    </message>
    <message>
        <source>Post: {name} · {task} · {count} required</source>
        <translation>岗位：{name} · {task} · 定员 {count} 人</translation>
    </message>
    <message>
        <source>Choose a post on the left, or scan a guard: the guard&apos;s fixed post is taken.</source>
        <translation>请在左侧选择岗位，或直接扫码：将自动定位到该保安员的固定岗位。</translation>
    </message>
    <message>
        <source>Choose the post first.</source>
        <translation>请先选择岗位。</translation>
    </message>
    <message>
        <source>Post absent</source>
        <translation>岗位缺岗</translation>
    </message>
    <message>
        <source>{count} guard(s) were verified at {post} in the last {minutes} minutes. Record the post as absent all the same?</source>
        <translation>最近 {minutes} 分钟内，{post} 已有 {count} 名保安员通过核验。仍要将该岗位记为缺岗吗？</translation>
    </message>
    <message>
        <source>Understaffed post</source>
        <translation>岗位缺员</translation>
    </message>
    <message>
        <source>How many guards are at {post}? ({count} required)</source>
        <translation>{post} 现有几名保安员？（定员 {count} 人）</translation>
    </message>
    <message>
        <source>{post}: {state} recorded</source>
        <translation>{post}：已记录{state}</translation>
    </message>
    <message>
        <source>Open or create an event first.</source>
        <translation>请先打开或新建活动。</translation>
    </message>
    <message>
        <source>Not recorded: {reason}</source>
        <translation>未记录：{reason}</translation>
    </message>
    <message>
        <source>Scan recorded</source>
        <translation>扫码已记录</translation>
    </message>
    <message>
        <source>&amp;Badge photo…</source>
        <translation>识别证件照片(&amp;B)…</translation>
    </message>
    <message>
        <source>Paste image (Ctrl+Shift+V)</source>
        <translation>粘贴图片 (Ctrl+Shift+V)</translation>
    </message>
    <message>
        <source>Photo of a badge</source>
        <translation>证件照片</translation>
    </message>
    <message>
        <source>Images (*.jpg *.jpeg *.png *.bmp *.webp)</source>
        <translation>图片 (*.jpg *.jpeg *.png *.bmp *.webp)</translation>
    </message>
    <message>
        <source>{file} is not an image that can be read.</source>
        <translation>{file} 不是可读取的图片。</translation>
    </message>
    <message>
        <source>The clipboard holds no image. Copy a photo of the badge first.</source>
        <translation>剪贴板中没有图片，请先复制证件照片。</translation>
    </message>
    <message>
        <source>No QR code found in the image. Take the photo closer and sharper, or type the certificate number.</source>
        <translation>图片中未找到二维码。请靠近拍摄、保持清晰，或手工输入证号。</translation>
    </message>
    <message>
        <source>Start the camera first to take a photo.</source>
        <translation>请先打开摄像头再拍照。</translation>
    </message>
    <message>
        <source>Item saved</source>
        <translation>检查项已保存</translation>
    </message>
    <message>
        <source>Remaining items marked compliant</source>
        <translation>其余项目已标为合格</translation>
    </message>
    <message>
        <source>Nothing to undo.</source>
        <translation>没有可撤销的操作。</translation>
    </message>
    <message>
        <source>Undone</source>
        <translation>已撤销</translation>
    </message>
    <message>
        <source>Finding saved</source>
        <translation>问题已保存</translation>
    </message>
    <message>
        <source>✓ {what}, saved {time}</source>
        <translation>✓ {what}，已于 {time} 保存</translation>
    </message>
</context>
<context>
    <name>ItemRow</name>
    <message>
        <source>Ctrl+{n} toggles this item</source>
        <translation>Ctrl+{n} 切换此项</translation>
    </message>
    <message>
        <source>not checked</source>
        <translation>未检查</translation>
    </message>
    <message>
        <source>✓ compliant</source>
        <translation>✓ 合格</translation>
    </message>
    <message>
        <source>✗ finding</source>
        <translation>✗ 问题</translation>
    </message>
</context>
<context>
    <name>LaptopSettingsPage</name>
    <message>
        <source>System language</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>A new language takes effect at the next start.</source>
        <translation>更改的语言在下次启动程序时生效。</translation>
    </message>
    <message>
        <source>Large type</source>
        <translation>大字体</translation>
    </message>
    <message>
        <source>High contrast, for daylight</source>
        <translation>高对比度（适合阳光下）</translation>
    </message>
    <message>
        <source>A sound after each scan</source>
        <translation>每次扫码后发出提示音</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>试听</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>从不</translation>
    </message>
    <message>
        <source>After {minutes} minutes without use</source>
        <translation>闲置 {minutes} 分钟后</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>Display:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <source>Sound:</source>
        <translation>声音：</translation>
    </message>
    <message>
        <source>Volume:</source>
        <translation>音量：</translation>
    </message>
    <message>
        <source>Lock the screen:</source>
        <translation>锁定屏幕：</translation>
    </message>
    <message>
        <source>Camera:</source>
        <translation>摄像头：</translation>
    </message>
    <message>
        <source>The system&apos;s default camera</source>
        <translation>系统默认摄像头</translation>
    </message>
    <message>
        <source>The camera chosen before (not connected now)</source>
        <translation>之前选择的摄像头（当前未连接）</translation>
    </message>
    <message>
        <source>This laptop cannot play sound (no sound device).</source>
        <translation>本机无法播放声音（没有音频设备）。</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>Nothing of the event is shown while the window is locked. Enter the profile password to continue.</source>
        <translation>窗口锁定期间不显示任何活动信息。请输入数据档案密码继续。</translation>
    </message>
    <message>
        <source>This window holds demonstration data only, which is not encrypted: it unlocks without a password.</source>
        <translation>此窗口只有演示数据，未加密：无需密码即可解锁。</translation>
    </message>
    <message>
        <source>Profile password</source>
        <translation>数据档案密码</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Venue Supervisor</source>
        <translation>大型活动安保现场督导</translation>
    </message>
    <message>
        <source>Signed, read-only: to correct anything, start a new version (Evaluation tab)</source>
        <translation>已签名，只读：更正请新建版本（综合考评页）</translation>
    </message>
    <message>
        <source>Event:</source>
        <translation>活动：</translation>
    </message>
    <message>
        <source>Inspection</source>
        <translation>督导检查</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>概览</translation>
    </message>
    <message>
        <source>Posts</source>
        <translation>岗位</translation>
    </message>
    <message>
        <source>Roster</source>
        <translation>人员名单</translation>
    </message>
    <message>
        <source>Evaluation</source>
        <translation>综合考评</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>活动</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>New event</source>
        <translation>新建活动</translation>
    </message>
    <message>
        <source>Import roster…</source>
        <translation>导入名单…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Import trust list…</source>
        <translation>导入信任列表…</translation>
    </message>
    <message>
        <source>Import revocation list…</source>
        <translation>导入吊销列表…</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>Undo last action</source>
        <translation>撤销上一步操作</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>查看(&amp;V)</translation>
    </message>
    <message>
        <source>No event open</source>
        <translation>尚未打开活动</translation>
    </message>
    <message>
        <source>Take the event down from headquarters, import the event package headquarters gave you on a USB stick, or create the event by hand and import the company&apos;s roster.</source>
        <translation>可从总部获取活动，导入总部用U盘交给您的活动数据包，或手工新建活动并导入保安公司的人员名单。</translation>
    </message>
    <message>
        <source>No event yet: fill in the Event tab and save.</source>
        <translation>尚无活动：请在“活动”页填写并保存。</translation>
    </message>
    <message>
        <source>risk {level}</source>
        <translation>风险等级：{level}</translation>
    </message>
    <message>
        <source>company: {name}</source>
        <translation>保安公司：{name}</translation>
    </message>
    <message>
        <source>no company yet</source>
        <translation>尚未指定保安公司</translation>
    </message>
    <message>
        <source>⚠ BLACK-LISTED COMPANY: {name} is on the black list. Report to headquarters before the event.</source>
        <translation>⚠ 黑名单公司：{name} 已列入黑名单，请在活动开始前报告总部。</translation>
    </message>
    <message>
        <source>Import roster</source>
        <translation>导入名单</translation>
    </message>
    <message>
        <source>Create the event first (Event tab).</source>
        <translation>请先新建活动（“活动”页）。</translation>
    </message>
    <message>
        <source>Company roster</source>
        <translation>保安公司人员名单</translation>
    </message>
    <message>
        <source>Rosters (*.xlsx *.csv)</source>
        <translation>人员名单 (*.xlsx *.csv)</translation>
    </message>
    <message>
        <source>Roster imported: {new} new, {updated} updated guards, {posts} new posts</source>
        <translation>名单已导入：新增 {new} 人，更新 {updated} 人，新增岗位 {posts} 个</translation>
    </message>
    <message>
        <source>Trust list from headquarters</source>
        <translation>总部下发的信任列表</translation>
    </message>
    <message>
        <source>Trust lists (*.json)</source>
        <translation>信任列表 (*.json)</translation>
    </message>
    <message>
        <source>Revocation list from headquarters</source>
        <translation>总部下发的吊销列表</translation>
    </message>
    <message>
        <source>Revocation lists (*.txt *.csv);;All files (*)</source>
        <translation>吊销列表 (*.txt *.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>正在导入…</translation>
    </message>
    <message>
        <source>{count} trusted issuer key(s) imported.</source>
        <translation>已导入 {count} 个受信任的签发密钥。</translation>
    </message>
    <message>
        <source>Revocation list in force: {certs} certificate(s) and {keys} issuer key(s) revoked.</source>
        <translation>吊销列表已生效：吊销证件 {certs} 个，吊销签发密钥 {keys} 个。</translation>
    </message>
    <message>
        <source>Import failed</source>
        <translation>导入失败</translation>
    </message>
    <message>
        <source>Nothing was changed: {error}</source>
        <translation>未做任何更改：{error}</translation>
    </message>
    <message>
        <source>Trusted issuers: {issuers} · revoked: {revoked}</source>
        <translation>受信任签发机关：{issuers} · 已吊销：{revoked}</translation>
    </message>
    <message>
        <source>Figures could not be counted: {error}</source>
        <translation>统计数据未能更新：{error}</translation>
    </message>
    <message>
        <source>Posts visited: {visited} / {posts}
Guards checked: {checked} / {rostered}
Posts absent: {absent}, understaffed: {under}
Findings: {findings} ({open} not corrected)</source>
        <translation>已检查岗位：{visited} / {posts}
已检查保安员：{checked} / {rostered}
缺岗：{absent}，缺员：{under}
问题：{findings}（未整改 {open}）</translation>
    </message>
    <message>
        <source>All changes saved · device {device}</source>
        <translation>所有更改已保存 · 设备 {device}</translation>
    </message>
    <message>
        <source>A badge was scanned while a dialog was open: it was recorded, and the dialog kept what you typed.</source>
        <translation>对话框打开期间扫描了证件：扫码已记录，对话框中已输入的内容保持不变。</translation>
    </message>
</context>
<context>
    <name>NextStepPage</name>
    <message>
        <source>Your first event</source>
        <translation>第一个活动</translation>
    </message>
    <message>
        <source>Choose what to do first: the program opens and starts it for you.</source>
        <translation>选择先做什么：程序打开后会直接开始。</translation>
    </message>
    <message>
        <source>Take an event down from headquarters</source>
        <translation>从总部获取活动</translation>
    </message>
    <message>
        <source>Import an event package from a USB stick</source>
        <translation>从 U 盘导入活动数据包</translation>
    </message>
    <message>
        <source>Create an event by hand</source>
        <translation>手动创建活动</translation>
    </message>
    <message>
        <source>Headquarters prepared the event with its roster and posts: you pick it from a list.</source>
        <translation>总部已准备好活动及其人员名单和岗位：从列表中选择即可。</translation>
    </message>
    <message>
        <source>Headquarters gave you the event as a file (.vspkg).</source>
        <translation>总部以文件（.vspkg）形式给了您活动。</translation>
    </message>
    <message>
        <source>Fill in the event, then import the security company&apos;s roster (.xlsx or .csv).</source>
        <translation>填写活动信息，然后导入保安公司的人员名单（.xlsx 或 .csv）。</translation>
    </message>
    <message>
        <source>The first two need the enrolment with headquarters (the page before): headquarters signs its events, and this laptop learns to check them when it enrols.</source>
        <translation>前两项需要先在总部注册（上一页）：总部的活动带有签名，本机注册时才获得核验签名的依据。</translation>
    </message>
</context>
<context>
    <name>PasswordPage</name>
    <message>
        <source>Profile password</source>
        <translation>数据档案密码</translation>
    </message>
    <message>
        <source>Everything in your profile (guards, inspections, photos, signed PDFs, keys) is kept encrypted with this password.</source>
        <translation>数据档案中的全部内容（保安员、检查记录、照片、已签名的 PDF、密钥）都用这个密码加密保存。</translation>
    </message>
    <message>
        <source>Create the profile</source>
        <translation>创建数据档案</translation>
    </message>
    <message>
        <source>If you forget this password, nobody can recover it: not headquarters, not the makers of this program, not you. Without it the profile cannot be opened again and everything in it is lost. Write it down and keep it as safely as your badge.</source>
        <translation>忘记这个密码，任何人都无法找回：总部不能，本程序的开发者不能，您自己也不能。没有它，数据档案再也打不开，其中的一切都将丢失。请把它写下来，像保管警官证一样妥善保管。</translation>
    </message>
    <message>
        <source>I understand: a forgotten password cannot be recovered by anyone.</source>
        <translation>我已了解：忘记的密码任何人都无法找回。</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>密码：</translation>
    </message>
    <message>
        <source>The same again:</source>
        <translation>再输入一次：</translation>
    </message>
    <message>
        <source>Strength: {level}.</source>
        <translation>强度：{level}。</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <source>Creating your encrypted profile: a moment…</source>
        <translation>正在创建加密数据档案，请稍候…</translation>
    </message>
    <message>
        <source>Your profile is created and encrypted; your name is saved in it.</source>
        <translation>数据档案已创建并加密，您的姓名已保存在其中。</translation>
    </message>
</context>
<context>
    <name>PasswordStrength</name>
    <message>
        <source>very weak</source>
        <translation>很弱</translation>
    </message>
    <message>
        <source>weak</source>
        <translation>弱</translation>
    </message>
    <message>
        <source>fair</source>
        <translation>一般</translation>
    </message>
    <message>
        <source>strong</source>
        <translation>强</translation>
    </message>
    <message>
        <source>very strong</source>
        <translation>很强</translation>
    </message>
    <message>
        <source>A straight row of keys is easy to guess.</source>
        <translation>键盘上连成一排的按键很容易被猜到。</translation>
    </message>
    <message>
        <source>A short keyboard pattern is easy to guess.</source>
        <translation>简短的键盘图案很容易被猜到。</translation>
    </message>
    <message>
        <source>Repeated characters (like aaa) are easy to guess.</source>
        <translation>重复的字符（如 aaa）很容易被猜到。</translation>
    </message>
    <message>
        <source>A repeated group (like abcabc) is hardly harder to guess than the group once.</source>
        <translation>重复的一组字符（如 abcabc）几乎和只写一次一样容易被猜到。</translation>
    </message>
    <message>
        <source>Sequences (like abc or 6543) are easy to guess.</source>
        <translation>连续的序列（如 abc 或 6543）很容易被猜到。</translation>
    </message>
    <message>
        <source>Recent years are easy to guess.</source>
        <translation>近几年的年份很容易被猜到。</translation>
    </message>
    <message>
        <source>Dates are easy to guess.</source>
        <translation>日期很容易被猜到。</translation>
    </message>
    <message>
        <source>This is one of the ten most common passwords.</source>
        <translation>这是最常见的十个密码之一。</translation>
    </message>
    <message>
        <source>This is one of the hundred most common passwords.</source>
        <translation>这是最常见的一百个密码之一。</translation>
    </message>
    <message>
        <source>This is a very common password.</source>
        <translation>这是一个非常常见的密码。</translation>
    </message>
    <message>
        <source>This is close to a commonly used password.</source>
        <translation>这与一个常用密码很接近。</translation>
    </message>
    <message>
        <source>A single word is easy to guess.</source>
        <translation>单个单词很容易被猜到。</translation>
    </message>
    <message>
        <source>A name on its own is easy to guess.</source>
        <translation>单独一个姓名很容易被猜到。</translation>
    </message>
    <message>
        <source>Common names are easy to guess.</source>
        <translation>常见的姓名很容易被猜到。</translation>
    </message>
    <message>
        <source>Longer is stronger: add another word or two that are not about you.</source>
        <translation>越长越安全：再加一两个与您本人无关的词。</translation>
    </message>
    <message>
        <source>At least {count} characters.</source>
        <translation>至少 {count} 个字符。</translation>
    </message>
    <message>
        <source>Too easy to guess: it would be among the first tries. Choose another.</source>
        <translation>太容易猜到：别人最先尝试的就是这类密码。请换一个。</translation>
    </message>
</context>
<context>
    <name>PostsPage</name>
    <message>
        <source>Post</source>
        <translation>岗位</translation>
    </message>
    <message>
        <source>Zone</source>
        <translation>区域</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>定员</translation>
    </message>
    <message>
        <source>Assigned</source>
        <translation>已安排人数</translation>
    </message>
    <message>
        <source>Checked</source>
        <translation>已检查人数</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>no guard assigned</source>
        <translation>未安排人员</translation>
    </message>
    <message>
        <source>No posts yet. Importing the company&apos;s roster (Ctrl+I) creates its posts; or fill in the form on the right and click Save post.</source>
        <translation>尚无岗位。导入保安公司的人员名单（Ctrl+I）会同时建立岗位；也可在右侧填写后点击“保存岗位”。</translation>
    </message>
    <message>
        <source>Save &amp;post</source>
        <translation>保存岗位(&amp;P)</translation>
    </message>
    <message>
        <source>Ne&amp;w post</source>
        <translation>新建岗位(&amp;W)</translation>
    </message>
    <message>
        <source>Post (定岗位、定任务、定责任)</source>
        <translation>岗位（定岗位、定任务、定责任）</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>岗位名称</translation>
    </message>
    <message>
        <source>Task type</source>
        <translation>岗位类型</translation>
    </message>
    <message>
        <source>Required headcount</source>
        <translation>定员人数</translation>
    </message>
</context>
<context>
    <name>Profile</name>
    <message>
        <source>{path} is in use by another program (the app in another window?); close it and start again ({error})</source>
        <translation>{path} 正被另一个程序使用（是否在另一个窗口中打开了本程序？）；请关闭后重新启动（{error}）</translation>
    </message>
    <message>
        <source>{path} is in use by another program (the app in another window?); close it and start again</source>
        <translation>{path} 正被另一个程序使用（是否在另一个窗口中打开了本程序？）；请关闭后重新启动</translation>
    </message>
    <message>
        <source>{path}: the encrypted copy does not hold every row; the profile was left as it was</source>
        <translation>{path}：加密副本未包含全部记录；数据档案保持原样，未作改动</translation>
    </message>
    <message>
        <source>the migration left {count} rows pointing nowhere (first: {first}); nothing changed</source>
        <translation>数据库升级后有 {count} 行引用了不存在的记录（第一行：{first}）；未做任何更改</translation>
    </message>
    <message>
        <source>{path}: {error}</source>
        <translation>{path}：{error}</translation>
    </message>
    <message>
        <source>the profile {folder} is encrypted: its password is needed</source>
        <translation>数据档案 {folder} 已加密：需要输入其密码</translation>
    </message>
</context>
<context>
    <name>ProfileFiles</name>
    <message>
        <source>{file} in the profile is not encrypted with the profile&apos;s key (put there by hand, or damaged)</source>
        <translation>数据档案中的 {file} 未用本数据档案的密钥加密（可能是手工放入或已损坏）</translation>
    </message>
    <message>
        <source>{file} in the profile is damaged or was changed (it does not decrypt)</source>
        <translation>数据档案中的 {file} 已损坏或被改动（无法解密）</translation>
    </message>
</context>
<context>
    <name>ProfileKey</name>
    <message>
        <source>the profile password must have {count} characters or more</source>
        <translation>数据档案密码至少需要 {count} 个字符</translation>
    </message>
    <message>
        <source>the profile&apos;s key file {path} is damaged ({detail}); without it the profile cannot be opened</source>
        <translation>数据档案的密钥文件 {path} 已损坏（{detail}）；没有它就无法打开数据档案</translation>
    </message>
    <message>
        <source>too large</source>
        <translation>文件过大</translation>
    </message>
    <message>
        <source>cannot read the profile&apos;s key file {path}: {error}</source>
        <translation>无法读取数据档案的密钥文件 {path}：{error}</translation>
    </message>
    <message>
        <source>not JSON</source>
        <translation>不是 JSON</translation>
    </message>
    <message>
        <source>not a profile key file</source>
        <translation>不是数据档案密钥文件</translation>
    </message>
    <message>
        <source>version {version} is not known to this program</source>
        <translation>本程序不认识版本 {version}</translation>
    </message>
    <message>
        <source>its parameters are out of range</source>
        <translation>其参数超出允许范围</translation>
    </message>
    <message>
        <source>wrong password for the profile {folder}</source>
        <translation>数据档案 {folder} 的密码错误</translation>
    </message>
    <message>
        <source>the key has the wrong length</source>
        <translation>密钥长度不对</translation>
    </message>
    <message>
        <source>the profile {folder} is not encrypted</source>
        <translation>数据档案 {folder} 未加密</translation>
    </message>
</context>
<context>
    <name>ProfilePasswordDialog</name>
    <message>
        <source>Venue Supervisor: profile password</source>
        <translation>大型活动安保现场督导：数据档案密码</translation>
    </message>
    <message>
        <source>Choose a password for this profile ({folder}). Everything in it (the guards, the inspections, photos, signed PDFs and keys) is kept encrypted with it; without it nobody can read them, and nobody can recover it for you. At least {count} characters.</source>
        <translation>请为此数据档案（{folder}）设置密码。其中的全部内容（保安员、检查记录、照片、已签名 PDF 和密钥）都用它加密保存；没有密码，任何人都无法读取，忘记密码也无人能帮您找回。至少 {count} 个字符。</translation>
    </message>
    <message>
        <source>This profile ({folder}) is encrypted. Enter its password.</source>
        <translation>此数据档案（{folder}）已加密，请输入密码。</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>密码：</translation>
    </message>
    <message>
        <source>The same again:</source>
        <translation>再输入一次：</translation>
    </message>
    <message>
        <source>The password needs at least {count} characters.</source>
        <translation>密码至少需要 {count} 个字符。</translation>
    </message>
    <message>
        <source>The two passwords differ. Type them again.</source>
        <translation>两次输入的密码不一致，请重新输入。</translation>
    </message>
    <message>
        <source>Enter the password.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <source>Encrypting the profile: this takes a moment for a large event…</source>
        <translation>正在加密数据档案：大型活动的数据需要稍等片刻…</translation>
    </message>
    <message>
        <source>Opening the profile…</source>
        <translation>正在打开数据档案…</translation>
    </message>
    <message>
        <source>Wrong password. Try again.</source>
        <translation>密码错误，请重试。</translation>
    </message>
</context>
<context>
    <name>RefusalDialog</name>
    <message>
        <source>Refusal to sign</source>
        <translation>拒签</translation>
    </message>
    <message>
        <source>The reason the head gave</source>
        <translation>负责人给出的理由</translation>
    </message>
    <message>
        <source>{name} refuses to sign. The form will say so, with the time and this reason.</source>
        <translation>{name}拒绝签名。考评表将注明拒签，并记录时间和以下理由。</translation>
    </message>
    <message>
        <source>Write down the reason first.</source>
        <translation>请先写明理由。</translation>
    </message>
</context>
<context>
    <name>RemoteEventsDialog</name>
    <message>
        <source>Get event from headquarters</source>
        <translation>从总部获取活动</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>活动</translation>
    </message>
    <message>
        <source>Venue</source>
        <translation>场馆</translation>
    </message>
    <message>
        <source>Starts</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>保安公司</translation>
    </message>
    <message>
        <source>Guards</source>
        <translation>保安员</translation>
    </message>
    <message>
        <source>Posts</source>
        <translation>岗位</translation>
    </message>
    <message>
        <source>Get this event</source>
        <translation>获取此活动</translation>
    </message>
    <message>
        <source>Asking headquarters for its events…</source>
        <translation>正在向总部查询活动…</translation>
    </message>
    <message>
        <source>Pick the event to bring to this laptop.</source>
        <translation>请选择要获取到本机的活动。</translation>
    </message>
    <message>
        <source>Headquarters has prepared no event yet.</source>
        <translation>总部尚未准备任何活动。</translation>
    </message>
    <message>
        <source>Getting “{name}” from headquarters…</source>
        <translation>正在从总部获取“{name}”…</translation>
    </message>
</context>
<context>
    <name>ReportCli</name>
    <message>
        <source>error: {message}</source>
        <translation>错误：{message}</translation>
    </message>
    <message>
        <source>cannot write {path}: {error}</source>
        <translation>无法写入 {path}：{error}</translation>
    </message>
    <message>
        <source>no event with the id or name {event} in {folder}</source>
        <translation>{folder} 中没有编号或名称为 {event} 的活动</translation>
    </message>
    <message>
        <source>the signed PDF of {document} is missing</source>
        <translation>找不到 {document} 已签名的 PDF</translation>
    </message>
    <message>
        <source>{document} was signed before; its PDF is copied. Start a new version in the app to correct it.</source>
        <translation>{document} 此前已签名，已复制其 PDF。如需更正，请在程序中新建版本。</translation>
    </message>
    <message>
        <source>Passphrase for the supervisor&apos;s key file: </source>
        <translation>请输入督导员密钥文件的口令： </translation>
    </message>
    <message>
        <source>Passphrase for the new supervisor key file: </source>
        <translation>请为新的督导员密钥文件设置口令： </translation>
    </message>
    <message>
        <source>A new supervisor key and self-signed certificate for {name} were created: {path}</source>
        <translation>已为 {name} 生成新的督导员密钥和自签名证书：{path}</translation>
    </message>
    <message>
        <source>cannot read {path}: {error}</source>
        <translation>无法读取 {path}：{error}</translation>
    </message>
    <message>
        <source>{path} not found</source>
        <translation>找不到 {path}</translation>
    </message>
</context>
<context>
    <name>ResultCard</name>
    <message>
        <source>Scan a badge or type a certificate number</source>
        <translation>请扫描保安员证或输入证号</translation>
    </message>
    <message>
        <source>The scan field is always ready: no need to click it.</source>
        <translation>扫码框始终就绪，无需点击。</translation>
    </message>
    <message>
        <source>Fixed post: {post}</source>
        <translation>固定岗位：{post}</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Certificate {number} is not on this event&apos;s roster</source>
        <translation>证号 {number} 不在本次活动报备名单内</translation>
    </message>
    <message>
        <source>Works for {company}: record the subcontracting</source>
        <translation>所属 {company}：请记录转包 / 外借问题</translation>
    </message>
    <message>
        <source>Wrong post: fixed to {post}, found at {here}</source>
        <translation>岗位不符：固定岗位为{post}，现在{here}</translation>
    </message>
    <message>
        <source>Do not accept this badge: check the person&apos;s identity</source>
        <translation>不得认可此证件：请核实人员身份</translation>
    </message>
    <message>
        <source>No certificate number in what was scanned; scan again</source>
        <translation>扫码内容中没有证号，请重新扫描</translation>
    </message>
    <message>
        <source>Now inspecting at {post}</source>
        <translation>当前督导岗位：{post}</translation>
    </message>
    <message>
        <source>checked {count} time(s) before</source>
        <translation>此前已检查 {count} 次</translation>
    </message>
    <message>
        <source>Valid until: {date}</source>
        <translation>有效期至：{date}</translation>
    </message>
    <message>
        <source>Unknown person</source>
        <translation>身份不明</translation>
    </message>
    <message>
        <source>Scanned: {text}</source>
        <translation>扫码内容：{text}</translation>
    </message>
    <message>
        <source>Company claims: background check {state}, pre-job training {trained}</source>
        <translation>公司自报：背景审查{state}，岗前培训{trained}</translation>
    </message>
    <message>
        <source>Company: {company}</source>
        <translation>所属公司：{company}</translation>
    </message>
    <message>
        <source>Certificate: {number}</source>
        <translation>保安员证号：{number}</translation>
    </message>
    <message>
        <source>ID number: {masked}</source>
        <translation>身份证号：{masked}</translation>
    </message>
    <message>
        <source>Background check: {state}   Pre-job training: {trained}</source>
        <translation>背景审查：{state}   岗前培训：{trained}</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>Roster</name>
    <message>
        <source>{file} cannot be read as a roster: it holds more than {limit} rows with content, and a roster takes at most {limit} guards. Split it into several files and import them one after the other</source>
        <translation>{file} 无法作为人员名单读取：有内容的行超过 {limit} 行，而一份名单最多 {limit} 名保安员。请拆分成几个文件，逐个导入</translation>
    </message>
    <message>
        <source>{file} cannot be read as a roster: it goes on for more than {limit} rows, most of them empty. Delete the empty rows below the list (or copy the list into a new workbook) and save it again</source>
        <translation>{file} 无法作为人员名单读取：它超过 {limit} 行，其中大部分是空行。请删除名单下方的空行（或把名单复制到新工作簿）后重新保存</translation>
    </message>
    <message>
        <source>{file} cannot be read as a roster: row {row} has more than {limit} columns, and a roster has about a dozen. Check that this is the roster, delete the columns it does not need and save it again</source>
        <translation>{file} 无法作为人员名单读取：第 {row} 行超过 {limit} 列，而名单一般只有十几列。请确认这是人员名单，删除不需要的列后重新保存</translation>
    </message>
    <message>
        <source>{file} cannot be read as a roster: cell {cell} holds more than {limit} characters, and a name, number or post takes a few dozen. Check that this is the roster and save it again from the spreadsheet program</source>
        <translation>{file} 无法作为人员名单读取：单元格 {cell} 超过 {limit} 个字符，而姓名、号码或岗位只需几十个字符。请确认这是人员名单，并在电子表格程序中重新保存</translation>
    </message>
    <message>
        <source>{file} cannot be read as a roster: one of its texts holds more than {limit} characters, and a name, number or post takes a few dozen. Check that this is the roster and save it again from the spreadsheet program</source>
        <translation>{file} 无法作为人员名单读取：其中一段文字超过 {limit} 个字符，而姓名、号码或岗位只需几十个字符。请确认这是人员名单，并在电子表格程序中重新保存</translation>
    </message>
    <message>
        <source>{file} cannot be read as a roster: its cells hold more than {limit} characters in all. Split it into several files and import them one after the other</source>
        <translation>{file} 无法作为人员名单读取：单元格内容合计超过 {limit} 个字符。请拆分成几个文件，逐个导入</translation>
    </message>
    <message>
        <source>{file} cannot be read as a roster: it holds more than {limit} different texts. Split it into several files and import them one after the other</source>
        <translation>{file} 无法作为人员名单读取：不同的文字超过 {limit} 条。请拆分成几个文件，逐个导入</translation>
    </message>
    <message>
        <source>{file} cannot be read as a roster: row {row} holds more than {limit} characters, and a roster&apos;s row takes a few hundred. Check that this is the roster and save it again from the spreadsheet program</source>
        <translation>{file} 无法作为人员名单读取：第 {row} 行超过 {limit} 个字符，而名单的一行只有几百个字符。请确认这是人员名单，并在电子表格程序中重新保存</translation>
    </message>
    <message>
        <source>{file} cannot be read as a roster: it unpacks to far more data than a roster holds ({part} unpacks to {size} MB). Delete the empty rows and columns around the list (or copy the list into a new workbook) and save it again</source>
        <translation>{file} 无法作为人员名单读取：解压后的数据远超一份名单应有的大小（{part} 解压后为 {size} MB）。请删除名单周围的空行和空列（或把名单复制到新工作簿）后重新保存</translation>
    </message>
    <message>
        <source>{file} cannot be read as a roster: its zip directory lists more than {limit} parts or is larger than {size} KB, and a workbook has a few dozen parts. Copy the list into a new workbook and save it again</source>
        <translation>{file} 无法作为人员名单读取：其压缩目录列出超过 {limit} 个部件或大于 {size} KB，而一个工作簿只有几十个部件。请把名单复制到新工作簿后重新保存</translation>
    </message>
    <message>
        <source>{file} cannot be read as a roster: it unpacks to {size} MB, far more than a roster holds. Copy the list into a new workbook and save it again</source>
        <translation>{file} 无法作为人员名单读取：解压后为 {size} MB，远超一份名单应有的大小。请把名单复制到新工作簿后重新保存</translation>
    </message>
    <message>
        <source>{file} cannot be read as a roster: its part {part} holds far more than a roster needs. Copy the list into a new workbook and save it again</source>
        <translation>{file} 无法作为人员名单读取：其部件 {part} 的内容远超名单所需。请把名单复制到新工作簿后重新保存</translation>
    </message>
    <message>
        <source>{file} cannot be read as a roster: its part {part} is damaged or is not what an Excel workbook holds. Save the roster again from the spreadsheet program</source>
        <translation>{file} 无法作为人员名单读取：其部件 {part} 已损坏，或不是 Excel 工作簿应有的内容。请在电子表格程序中重新保存名单</translation>
    </message>
    <message>
        <source>Cannot read {file} as an Excel workbook: {error}</source>
        <translation>无法将 {file} 作为 Excel 工作簿读取：{error}</translation>
    </message>
    <message>
        <source>{file} is protected by a password: open it in the spreadsheet program, remove the password and save it again</source>
        <translation>{file} 设有密码保护：请在电子表格程序中打开，取消密码后重新保存</translation>
    </message>
    <message>
        <source>{file} holds no worksheet: save the roster again as an Excel workbook with the list on its first sheet</source>
        <translation>{file} 中没有工作表：请把名单放在第一个工作表中，重新保存为 Excel 工作簿</translation>
    </message>
    <message>
        <source>{file} is neither UTF-8 nor GB18030 text</source>
        <translation>{file} 既不是 UTF-8 也不是 GB18030 编码的文本</translation>
    </message>
    <message>
        <source>{file} cannot be read as a roster: a cell is far too long or the file holds binary data. Save the roster again from the spreadsheet program</source>
        <translation>{file} 无法作为人员名单读取：有单元格过长，或文件中含有二进制数据。请在表格软件中重新保存名单</translation>
    </message>
    <message>
        <source>File not found: {file}</source>
        <translation>找不到文件：{file}</translation>
    </message>
    <message>
        <source>{file}: only .xlsx and .csv rosters are supported</source>
        <translation>{file}：仅支持 .xlsx 和 .csv 格式的名单</translation>
    </message>
    <message>
        <source>No header row found: expected columns such as 姓名, 身份证号, 保安员证号</source>
        <translation>未找到表头行：应包含 姓名、身份证号、保安员证号 等列</translation>
    </message>
    <message>
        <source>Required column is missing</source>
        <translation>缺少必需的列</translation>
    </message>
    <message>
        <source>The roster&apos;s company {roster} is not the event&apos;s contracted company {company}</source>
        <translation>名单中的公司 {roster} 不是本次活动承接安保的公司 {company}</translation>
    </message>
    <message>
        <source>Starts with =, +, - or @: a spreadsheet would run it as a formula; type the real value</source>
        <translation>以 =、+、- 或 @ 开头：表格软件会将其作为公式执行；请填写真实内容</translation>
    </message>
    <message>
        <source>Name is missing</source>
        <translation>缺少姓名</translation>
    </message>
    <message>
        <source>ID number was stored as a number and lost digits; format the column as text and type it again</source>
        <translation>身份证号以数字格式保存，已丢失位数；请将该列设为文本格式后重新录入</translation>
    </message>
    <message>
        <source>ID number is missing</source>
        <translation>缺少身份证号</translation>
    </message>
    <message>
        <source>ID number has {count} characters, 18 are needed</source>
        <translation>身份证号为 {count} 位，应为 18 位</translation>
    </message>
    <message>
        <source>ID number may only hold digits and a final X</source>
        <translation>身份证号只能由数字和末位 X 组成</translation>
    </message>
    <message>
        <source>ID number check digit is wrong (GB 11643): a digit was mistyped</source>
        <translation>身份证号校验码错误（GB 11643）：有数字录入错误</translation>
    </message>
    <message>
        <source>Certificate number is missing</source>
        <translation>缺少保安员证号</translation>
    </message>
    <message>
        <source>Certificate number has no digits or letters</source>
        <translation>保安员证号中没有数字或字母</translation>
    </message>
    <message>
        <source>Company is missing</source>
        <translation>缺少所属公司</translation>
    </message>
    <message>
        <source>Gender should be 男 or 女</source>
        <translation>性别应为“男”或“女”</translation>
    </message>
    <message>
        <source>Unknown task type; expected one of 安检, 验票, 巡逻, 守卫, 秩序维护; the guard is imported without a post</source>
        <translation>岗位类型无法识别，应为 安检、验票、巡逻、守卫、秩序维护 之一；该人员导入后不安排岗位</translation>
    </message>
    <message>
        <source>Phone number does not look like an 11-digit mobile number</source>
        <translation>联系电话不是 11 位手机号码</translation>
    </message>
    <message>
        <source>Background check not recorded: treated as pending</source>
        <translation>未填写背景审查结果：按待审查处理</translation>
    </message>
    <message>
        <source>Background check value not understood: treated as pending</source>
        <translation>背景审查结果无法识别：按待审查处理</translation>
    </message>
    <message>
        <source>Pre-job training not recorded: treated as not trained</source>
        <translation>未填写岗前培训情况：按未培训处理</translation>
    </message>
    <message>
        <source>Training value not understood: treated as not trained</source>
        <translation>岗前培训情况无法识别：按未培训处理</translation>
    </message>
    <message>
        <source>Longer than {count} characters: no real value is; check the cell</source>
        <translation>超过 {count} 个字符：真实内容不会这么长，请检查该单元格</translation>
    </message>
    <message>
        <source>Duplicated line: the same guard as row {row}</source>
        <translation>重复行：与第 {row} 行为同一人</translation>
    </message>
    <message>
        <source>Certificate number already used in row {row}</source>
        <translation>保安员证号与第 {row} 行重复</translation>
    </message>
    <message>
        <source>ID number already used in row {row}</source>
        <translation>身份证号与第 {row} 行重复</translation>
    </message>
    <message>
        <source>Guard of another company than {company}: check for subcontracting or borrowed guards</source>
        <translation>非 {company} 人员：请核查是否存在转包或外借</translation>
    </message>
    <message>
        <source>Post {post} has task type {first} in row {row}; this row&apos;s type is ignored</source>
        <translation>岗位 {post} 在第 {row} 行的类型为 {first}；本行类型不予采用</translation>
    </message>
</context>
<context>
    <name>RosterPage</name>
    <message>
        <source>Row</source>
        <translation>行号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Gender</source>
        <translation>性别</translation>
    </message>
    <message>
        <source>ID number (masked)</source>
        <translation>身份证号（脱敏）</translation>
    </message>
    <message>
        <source>Certificate</source>
        <translation>保安员证号</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>公司</translation>
    </message>
    <message>
        <source>Fixed post</source>
        <translation>固定岗位</translation>
    </message>
    <message>
        <source>Background check</source>
        <translation>背景审查</translation>
    </message>
    <message>
        <source>Trained</source>
        <translation>岗前培训</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Filter by name, certificate, company or post</source>
        <translation>按姓名、证号、公司或岗位筛选</translation>
    </message>
    <message>
        <source>&amp;Import roster (.xlsx / .csv)…</source>
        <translation>导入名单(&amp;I) (.xlsx / .csv)…</translation>
    </message>
    <message>
        <source>&amp;Assign selected guards to post</source>
        <translation>将所选人员安排到岗位(&amp;A)</translation>
    </message>
    <message>
        <source>Set &amp;photo…</source>
        <translation>设置照片(&amp;P)…</translation>
    </message>
    <message>
        <source>Fixed post (定岗位):</source>
        <translation>固定岗位（定岗位）：</translation>
    </message>
    <message>
        <source>(no post)</source>
        <translation>（不安排岗位）</translation>
    </message>
    <message>
        <source>{shown} of {total} guards</source>
        <translation>显示 {shown} / 共 {total} 人</translation>
    </message>
    <message>
        <source>No guards yet. Import the company&apos;s roster (.xlsx or .csv) with the button above or Ctrl+I; headquarters&apos; event package brings it too.</source>
        <translation>尚无保安员。请用上方按钮或 Ctrl+I 导入保安公司的人员名单（.xlsx 或 .csv）；总部下发的活动数据包也带有名单。</translation>
    </message>
    <message>
        <source>No guard matches the filter.</source>
        <translation>没有符合筛选条件的保安员。</translation>
    </message>
    <message>
        <source>Photo</source>
        <translation>照片</translation>
    </message>
    <message>
        <source>Select one guard.</source>
        <translation>请选择一名保安员。</translation>
    </message>
    <message>
        <source>Guard&apos;s photo</source>
        <translation>保安员照片</translation>
    </message>
    <message>
        <source>Images (*.jpg *.jpeg *.png *.bmp)</source>
        <translation>图片 (*.jpg *.jpeg *.png *.bmp)</translation>
    </message>
    <message>
        <source>Assign</source>
        <translation>安排岗位</translation>
    </message>
    <message>
        <source>Select guards first.</source>
        <translation>请先选择人员。</translation>
    </message>
</context>
<context>
    <name>Rules</name>
    <message>
        <source>{0} must be an object</source>
        <translation>{0} 必须是一个对象</translation>
    </message>
    <message>
        <source>{0} is missing</source>
        <translation>缺少 {0}</translation>
    </message>
    <message>
        <source>{0} is not a key of the scoring rules</source>
        <translation>{0} 不是计分规则的项目</translation>
    </message>
    <message>
        <source>{0} must be a number from {1} to {2}</source>
        <translation>{0} 必须是 {1} 到 {2} 之间的数</translation>
    </message>
    <message>
        <source>{0} must be a whole number from {1} to {2}</source>
        <translation>{0} 必须是 {1} 到 {2} 之间的整数</translation>
    </message>
    <message>
        <source>{0} must be text of 1 to {1} characters on one line</source>
        <translation>{0} 必须是一行 1 到 {1} 个字符的文字</translation>
    </message>
    <message>
        <source>{0} names {1}, which is not one of {2}</source>
        <translation>{0} 写的是 {1}，不在 {2} 之中</translation>
    </message>
    <message>
        <source>{0}: a corrected finding must not weigh more than an uncorrected one</source>
        <translation>{0}：当场纠正的问题扣分不得高于未纠正的</translation>
    </message>
    <message>
        <source>rules_id must be &quot;scoring&quot;</source>
        <translation>rules_id 必须是 &quot;scoring&quot;</translation>
    </message>
    <message>
        <source>version must be a positive whole number (at most {0})</source>
        <translation>version 必须是正整数（不超过 {0}）</translation>
    </message>
    <message>
        <source>grades must list the bands {0}, from the highest minimum down to 0</source>
        <translation>grades 必须按最低分从高到低列出等级 {0}，最后一级从 0 分起</translation>
    </message>
    <message>
        <source>the lowest grade band ({0}) must start at 0</source>
        <translation>最低等级（{0}）必须从 0 分起</translation>
    </message>
    <message>
        <source>the file is larger than {0} KB: it is no scoring rules document</source>
        <translation>文件大于 {0} KB，不是计分规则文件</translation>
    </message>
    <message>
        <source>the file is not JSON text (UTF-8): {0}</source>
        <translation>文件不是 JSON 文本（UTF-8）：{0}</translation>
    </message>
    <message>
        <source>version {0} is a version this program ships, with other content: a new version needs a new number</source>
        <translation>第 {0} 版是本程序自带的版本，但内容不同：新版本须使用新的版本号</translation>
    </message>
    <message>
        <source>version {0} was published already with other content: a new version needs a new number</source>
        <translation>第 {0} 版已发布且内容不同：新版本须使用新的版本号</translation>
    </message>
</context>
<context>
    <name>SampleCli</name>
    <message>
        <source>no event with the id or name {event} in {folder}</source>
        <translation>{folder} 中没有编号或名称为 {event} 的活动</translation>
    </message>
</context>
<context>
    <name>SamplePanel</name>
    <message>
        <source>Still to find, by post:</source>
        <translation>尚待检查（按岗位）：</translation>
    </message>
    <message>
        <source>Guard</source>
        <translation>保安员</translation>
    </message>
    <message>
        <source>Certificate</source>
        <translation>保安员证号</translation>
    </message>
    <message>
        <source>The sampled guards not checked yet, by post. Double-click: choose that post.</source>
        <translation>尚未检查的样本保安员，按岗位列出。双击：选择该岗位。</translation>
    </message>
    <message>
        <source>Guards checked who are not in the sample: their findings count in the score and are reported apart from the sample&apos;s.</source>
        <translation>已检查但不在样本中的保安员：其问题计入得分，与样本分开列示。</translation>
    </message>
    <message>
        <source>Random sample: reading…</source>
        <translation>随机抽样：正在读取…</translation>
    </message>
    <message>
        <source>The random sample could not be read: {error}</source>
        <translation>无法读取随机抽样：{error}</translation>
    </message>
    <message>
        <source>Random sample</source>
        <translation>随机抽样</translation>
    </message>
    <message>
        <source>Sample</source>
        <translation>抽样</translation>
    </message>
    <message>
        <source>Random sample: no guards on the roster yet.</source>
        <translation>随机抽样：花名册中还没有保安员。</translation>
    </message>
    <message>
        <source>Random sample (GB/T 2828.1, level {level}, code {code}): {checked} of {size} checked</source>
        <translation>随机抽样（GB/T 2828.1，检验水平{level}，样本量字码 {code}）：{size} 人中已检查 {checked} 人</translation>
    </message>
    <message>
        <source>Sample complete: all {size} sampled guards have been checked.</source>
        <translation>样本已全部检查：{size} 名样本保安员均已检查。</translation>
    </message>
    <message>
        <source>In the sample: {bad} of {checked} checked with findings</source>
        <translation>样本中：已检查 {checked} 人，其中 {bad} 人有问题</translation>
    </message>
    <message>
        <source>Checked outside the sample: {guards} guards ({findings} with findings)</source>
        <translation>样本外已检查：{guards} 人（{findings} 人有问题）</translation>
    </message>
    <message>
        <source>Sample ✓</source>
        <translation>抽样 ✓</translation>
    </message>
    <message>
        <source>Sample {checked}/{size}</source>
        <translation>抽样 {checked}/{size}</translation>
    </message>
    <message>
        <source>No fixed post</source>
        <translation>未定岗</translation>
    </message>
    <message>
        <source>{post} ({count})</source>
        <translation>{post}（{count}）</translation>
    </message>
</context>
<context>
    <name>ScannerTest</name>
    <message>
        <source>none: the app takes {ms} ms of silence as the end of a scan</source>
        <translation>无：程序把 {ms} 毫秒无输入视为一次扫码结束</translation>
    </message>
    <message>
        <source>{keys} (the app ignores the second)</source>
        <translation>{keys}（程序会忽略第二个）</translation>
    </message>
    <message>
        <source>Only {count} characters a scanner types came: a scan has at least {minimum}.</source>
        <translation>只收到 {count} 个扫码枪会输入的字符：一次扫码至少有 {minimum} 个。</translation>
    </message>
    <message>
        <source>More than {maximum} characters: longer than any badge, so the app takes it as typing.</source>
        <translation>超过 {maximum} 个字符：比任何证件都长，程序会当作手工输入。</translation>
    </message>
    <message>
        <source>{count} of the gaps were longer than {limit} ms (the longest {longest} ms): a scanner&apos;s keys come faster.</source>
        <translation>有 {count} 个按键间隔超过 {limit} 毫秒（最长 {longest} 毫秒）：扫码枪的按键比这快。</translation>
    </message>
    <message>
        <source>Keys no scanner types in a code ({keys}) broke the run.</source>
        <translation>扫码枪输入条码时不会出现的按键（{keys}）打断了输入。</translation>
    </message>
    <message>
        <source>It did not look like a scanner: the app would take this as typing.</source>
        <translation>不像扫码枪：程序会把它当作手工输入。</translation>
    </message>
    <message>
        <source>It looked like a scanner: the app takes this as one scan.</source>
        <translation>像扫码枪：程序会把它当作一次扫码。</translation>
    </message>
    <message>
        <source>It looked like a scanner, but only in part: the app would take “{scan}” as a scan and “{typed}” as typing.</source>
        <translation>只有一部分像扫码枪：程序会把“{scan}”当作扫码，把“{typed}”当作手工输入。</translation>
    </message>
    <message>
        <source>It looked like a scanner, but the app would read {count} scans instead of one: “{scans}”.</source>
        <translation>像扫码枪，但程序会读成 {count} 次扫码而不是一次：“{scans}”。</translation>
    </message>
    <message>
        <source>The keyboard layout is French (AZERTY): digits come out as &amp;é&quot;&apos;(-è_çà and A/Q, W/Z are swapped. Switch the laptop&apos;s keyboard to English (US) while scanning, or set the scanner to the AZERTY layout.</source>
        <translation>键盘布局是法语（AZERTY）：数字变成 &amp;é&quot;&apos;(-è_çà，A/Q、W/Z 互换。扫码时请把电脑键盘切换为英语（美国），或把扫码枪设为 AZERTY 布局。</translation>
    </message>
    <message>
        <source>The keyboard layout is German (QWERTZ): Y and Z are swapped, so a badge would read as altered. Switch the laptop&apos;s keyboard to English (US) while scanning, or set the scanner to the QWERTZ layout.</source>
        <translation>键盘布局是德语（QWERTZ）：Y 和 Z 互换，证件会被读成被篡改。扫码时请把电脑键盘切换为英语（美国），或把扫码枪设为 QWERTZ 布局。</translation>
    </message>
    <message>
        <source>Caps Lock is on: capitals came in lower case. The app still reads badges, but switch Caps Lock off.</source>
        <translation>大写锁定已打开：大写字母变成了小写。程序仍能读取证件，但请关闭大写锁定。</translation>
    </message>
    <message>
        <source>The test code came through exactly: the keyboard layout suits the scanner.</source>
        <translation>测试码原样收到：键盘布局与扫码枪匹配。</translation>
    </message>
    <message>
        <source>The test code came through changed: {changes}.</source>
        <translation>测试码收到时已改变：{changes}。</translation>
    </message>
    <message>
        <source>Check the laptop&apos;s keyboard layout (English, US) and the scanner&apos;s keyboard-language setting.</source>
        <translation>请检查电脑的键盘布局（英语，美国）和扫码枪的键盘语言设置。</translation>
    </message>
    <message>
        <source>Characters no badge or certificate holds ({chars}): the keyboard layout or an input method changed what the scanner sent. Switch the keyboard to English (US) while scanning.</source>
        <translation>出现了证件中不会有的字符（{chars}）：键盘布局或输入法改变了扫码枪发送的内容。扫码时请把键盘切换为英语（美国）。</translation>
    </message>
    <message>
        <source>A badge&apos;s code holds only {prefix} and then A–Z and 2–7; {chars} cannot come from a badge: check the keyboard layout.</source>
        <translation>证件条码只含 {prefix} 及其后的 A–Z 和 2–7；{chars} 不可能来自证件：请检查键盘布局。</translation>
    </message>
</context>
<context>
    <name>ScannerTestPage</name>
    <message>
        <source>Click in the box and scan a badge, or the test code beside it. Every key the scanner sends is shown: control keys in brackets, [Enter] and [Tab] at the end.</source>
        <translation>在框内单击，然后扫描一张证件或旁边的测试码。扫码枪发送的每个按键都会显示：控制键放在方括号中，末尾为 [Enter] 或 [Tab]。</translation>
    </message>
    <message>
        <source>Click here, then scan</source>
        <translation>在此单击，然后扫码</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Test code: checks the keyboard layout (a 2D scanner reads it from the screen)</source>
        <translation>测试码：检查键盘布局（二维扫码枪可直接扫屏幕）</translation>
    </message>
    <message>
        <source>Characters:</source>
        <translation>字符：</translation>
    </message>
    <message>
        <source>Ended with:</source>
        <translation>结束键：</translation>
    </message>
    <message>
        <source>Time:</source>
        <translation>用时：</translation>
    </message>
    <message>
        <source>Gaps between keys (ms):</source>
        <translation>按键间隔（毫秒）：</translation>
    </message>
    <message>
        <source>Waiting for a scan.</source>
        <translation>等待扫码。</translation>
    </message>
    <message>
        <source>{count} keys so far…</source>
        <translation>已收到 {count} 个按键…</translation>
    </message>
    <message>
        <source>Receiving…</source>
        <translation>正在接收…</translation>
    </message>
    <message>
        <source>{count} ({keys} keys)</source>
        <translation>{count}（{keys} 个按键）</translation>
    </message>
    <message>
        <source>{total} ms in all; between keys {fastest}–{slowest} ms, typically {typical} ms</source>
        <translation>共 {total} 毫秒；按键间隔 {fastest}–{slowest} 毫秒，通常 {typical} 毫秒</translation>
    </message>
    <message>
        <source>one key</source>
        <translation>一个按键</translation>
    </message>
</context>
<context>
    <name>SelfTest</name>
    <message>
        <source>the CJK font {path}</source>
        <translation>中文字体 {path}</translation>
    </message>
    <message>
        <source>the checklist templates (resources/templates)</source>
        <translation>检查表模板（resources/templates）</translation>
    </message>
    <message>
        <source>the Chinese translation {path}</source>
        <translation>中文翻译 {path}</translation>
    </message>
    <message>
        <source>the profile&apos;s migrations {path}</source>
        <translation>数据档案的数据库迁移脚本 {path}</translation>
    </message>
    <message>
        <source>the scan&apos;s sound cues {path}</source>
        <translation>扫码提示音 {path}</translation>
    </message>
    <message>
        <source>the user guide {path}</source>
        <translation>使用指南 {path}</translation>
    </message>
    <message>
        <source>the libraries&apos; licences (their installed metadata)</source>
        <translation>各程序库的许可证（其安装信息）</translation>
    </message>
    <message>
        <source>headquarters&apos; migrations {path}</source>
        <translation>总部的数据库迁移脚本 {path}</translation>
    </message>
    <message>
        <source>font, templates, translations, migrations, user guide and licences ({font})</source>
        <translation>字体、模板、翻译、数据库迁移脚本、使用指南和许可证齐全（{font}）</translation>
    </message>
    <message>
        <source>an encrypted profile (SQLCipher)</source>
        <translation>加密的数据档案（SQLCipher）</translation>
    </message>
    <message>
        <source>encrypted profile made and migrated</source>
        <translation>已建立加密数据档案并完成数据库迁移</translation>
    </message>
    <message>
        <source>the demo event&apos;s roster</source>
        <translation>演示活动的人员名单</translation>
    </message>
    <message>
        <source>demo event loaded ({count} guards)</source>
        <translation>已载入演示活动（{count} 名保安员）</translation>
    </message>
    <message>
        <source>a verified badge (got {verdict})</source>
        <translation>验证通过的保安员证（实际结果：{verdict}）</translation>
    </message>
    <message>
        <source>the verdict (got {verdict})</source>
        <translation>检查结论（实际结果：{verdict}）</translation>
    </message>
    <message>
        <source>badge verified, guard at his post, {count} checklist items</source>
        <translation>证件验证通过，保安员在岗，检查表 {count} 项</translation>
    </message>
    <message>
        <source>a signature that validates</source>
        <translation>可验证的签名</translation>
    </message>
    <message>
        <source>evaluation PDF rendered and signed ({size} KB), verified</source>
        <translation>已生成并签名考评 PDF（{size} KB），签名验证通过</translation>
    </message>
    <message>
        <source>a bundle that reads back</source>
        <translation>可读回的同步数据包</translation>
    </message>
    <message>
        <source>bundle of {count} records signed and read back</source>
        <translation>已签名 {count} 条记录的同步数据包并读回</translation>
    </message>
    <message>
        <source>missing or wrong: {what}</source>
        <translation>缺失或有误：{what}</translation>
    </message>
    <message>
        <source>self-test passed</source>
        <translation>自检通过</translation>
    </message>
    <message>
        <source>the Qt platform plugin {name} in {folder}</source>
        <translation>Qt 平台插件 {name}（应在 {folder}）</translation>
    </message>
    <message>
        <source>{name} and {count} other platform plugin(s)</source>
        <translation>{name} 及其他 {count} 个平台插件</translation>
    </message>
    <message>
        <source>the Qt image format plugin for {format}</source>
        <translation>Qt 的 {format} 图片格式插件</translation>
    </message>
    <message>
        <source>writing a JPEG photo</source>
        <translation>写入 JPEG 照片</translation>
    </message>
    <message>
        <source>reading a JPEG photo</source>
        <translation>读取 JPEG 照片</translation>
    </message>
    <message>
        <source>JPEG, PNG and BMP read and written</source>
        <translation>JPEG、PNG、BMP 读写正常</translation>
    </message>
    <message>
        <source>Qt print support (a page could not be started)</source>
        <translation>Qt 打印支持（无法开始打印页面）</translation>
    </message>
    <message>
        <source>a printed page</source>
        <translation>打印出的页面</translation>
    </message>
    <message>
        <source>the Qt print support plugin for CUPS in {folder}</source>
        <translation>Qt 的 CUPS 打印插件（应在 {folder}）</translation>
    </message>
    <message>
        <source>a page printed to PDF; printer plugins: {names}</source>
        <translation>已打印一页到 PDF；打印插件：{names}</translation>
    </message>
    <message>
        <source>Qt multimedia ({error})</source>
        <translation>Qt 多媒体（{error}）</translation>
    </message>
    <message>
        <source>a Qt multimedia backend in {folder} (camera and sound)</source>
        <translation>Qt 多媒体后端（摄像头和声音，应在 {folder}）</translation>
    </message>
    <message>
        <source>backend {names}; {count} camera(s) on this machine</source>
        <translation>后端 {names}；本机有 {count} 个摄像头</translation>
    </message>
    <message>
        <source>the program&apos;s Chinese translation</source>
        <translation>本程序的中文翻译</translation>
    </message>
    <message>
        <source>Qt&apos;s own Chinese translation (qtbase_zh_CN.qm)</source>
        <translation>Qt 自带的中文翻译（qtbase_zh_CN.qm）</translation>
    </message>
    <message>
        <source>the program&apos;s and Qt&apos;s own Chinese</source>
        <translation>本程序及 Qt 自带对话框的中文正常</translation>
    </message>
    <message>
        <source>Chinese glyphs in the font {family}: {chars}</source>
        <translation>字体 {family} 中的汉字字形：{chars}</translation>
    </message>
    <message>
        <source>{family} draws Chinese</source>
        <translation>{family} 可正常显示汉字</translation>
    </message>
    <message>
        <source>the window&apos;s background work to finish</source>
        <translation>窗口的后台任务完成</translation>
    </message>
    <message>
        <source>the main window showing the demo event</source>
        <translation>显示演示活动的主窗口</translation>
    </message>
    <message>
        <source>the main window drawn</source>
        <translation>主窗口绘制</translation>
    </message>
    <message>
        <source>opened on the demo event and drawn ({width}x{height})</source>
        <translation>已打开演示活动并完成绘制（{width}x{height}）</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>This laptop</source>
        <translation>本机</translation>
    </message>
    <message>
        <source>Supervisor and headquarters</source>
        <translation>督导员与总部</translation>
    </message>
    <message>
        <source>Scanner test</source>
        <translation>扫码枪测试</translation>
    </message>
    <message>
        <source>Not all of the supervisor&apos;s settings were saved: {error}</source>
        <translation>督导员的设置未能全部保存：{error}</translation>
    </message>
    <message>
        <source>This laptop&apos;s settings were not saved: {error}</source>
        <translation>本机设置未能保存：{error}</translation>
    </message>
    <message>
        <source>Headquarters</source>
        <translation>总部</translation>
    </message>
    <message>
        <source>This laptop stays enrolled with headquarters at {enrolled}: the address was kept.</source>
        <translation>本机仍注册在 {enrolled} 的总部：地址保持不变。</translation>
    </message>
    <message>
        <source>This laptop is enrolled with headquarters at {enrolled}, and keeps sending its records there until it is enrolled at {wanted} with a new one-time code from headquarters.

Enrol at {wanted} now?</source>
        <translation>本机注册在 {enrolled} 的总部，在用总部新发的一次性注册码注册到 {wanted} 之前，记录仍发送到原地址。

现在注册到 {wanted} 吗？</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
</context>
<context>
    <name>SignaturePad</name>
    <message>
        <source>Sign above the line</source>
        <translation>请在横线上方签名</translation>
    </message>
</context>
<context>
    <name>Signing</name>
    <message>
        <source>the certificate needs a name (the supervisor&apos;s)</source>
        <translation>数字证书须填写督导员姓名</translation>
    </message>
    <message>
        <source>the key file needs a passphrase</source>
        <translation>密钥文件须设置口令</translation>
    </message>
    <message>
        <source>{path} exists already; it is not overwritten</source>
        <translation>{path} 已存在，不会覆盖</translation>
    </message>
    <message>
        <source>{path} is too large to be a key file</source>
        <translation>{path} 过大，不是密钥文件</translation>
    </message>
    <message>
        <source>cannot read the key file {path}: {error}</source>
        <translation>无法读取密钥文件 {path}：{error}</translation>
    </message>
    <message>
        <source>{file}: wrong passphrase, or not a PKCS#12 key file</source>
        <translation>{file}：口令错误，或不是 PKCS#12 密钥文件</translation>
    </message>
    <message>
        <source>{file}: not a usable PKCS#12 key file ({error})</source>
        <translation>{file}：不是可用的 PKCS#12 密钥文件（{error}）</translation>
    </message>
    <message>
        <source>{file} holds no private key with its certificate</source>
        <translation>{file} 中缺少私钥或与之对应的证书</translation>
    </message>
    <message>
        <source>{file}: only RSA and ECDSA keys sign PDFs here</source>
        <translation>{file}：本程序只能用 RSA 或 ECDSA 密钥签署 PDF</translation>
    </message>
    <message>
        <source>{file}: the key does not belong to the certificate</source>
        <translation>{file}：私钥与证书不匹配</translation>
    </message>
    <message>
        <source>the PDF could not be signed: {error}</source>
        <translation>PDF 签名失败：{error}</translation>
    </message>
</context>
<context>
    <name>SupervisorPage</name>
    <message>
        <source>Who you are</source>
        <translation>您的身份</translation>
    </message>
    <message>
        <source>Printed on your evaluations and sent to headquarters with them. Only your name is required.</source>
        <translation>会印在您的考评上，并随考评发送到总部。只有姓名必填。</translation>
    </message>
    <message>
        <source>e.g. City Public Security Bureau, Public Order Division</source>
        <translation>例如：XX市公安局治安管理支队</translation>
    </message>
    <message>
        <source>your police number</source>
        <translation>您的警号</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>姓名：</translation>
    </message>
    <message>
        <source>Unit:</source>
        <translation>单位：</translation>
    </message>
    <message>
        <source>Badge number:</source>
        <translation>警号：</translation>
    </message>
    <message>
        <source>Your name is saved in your profile.</source>
        <translation>您的姓名已保存到数据档案中。</translation>
    </message>
</context>
<context>
    <name>SupervisorSettingsPage</name>
    <message>
        <source>e.g. the city police&apos;s public order unit</source>
        <translation>例如：XX市公安局治安管理支队</translation>
    </message>
    <message>
        <source>empty: the supervisor&apos;s unit</source>
        <translation>留空则用督导员所在单位</translation>
    </message>
    <message>
        <source>empty: the supervisor&apos;s name</source>
        <translation>留空则用督导员姓名</translation>
    </message>
    <message>
        <source>empty: {prefix}, e.g. {prefix}〔2026〕17号</source>
        <translation>留空：{prefix}，如 {prefix}〔2026〕17号</translation>
    </message>
    <message>
        <source>empty: the regulations on large events and on security services, and the provincial notice</source>
        <translation>留空：《大型群众性活动安全管理条例》《保安服务管理条例》及省厅通知</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>督导员</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>姓名：</translation>
    </message>
    <message>
        <source>Unit:</source>
        <translation>单位：</translation>
    </message>
    <message>
        <source>Badge number:</source>
        <translation>警号：</translation>
    </message>
    <message>
        <source>Evaluation reports</source>
        <translation>考评报告</translation>
    </message>
    <message>
        <source>Issuing unit:</source>
        <translation>出具单位：</translation>
    </message>
    <message>
        <source>Signed by:</source>
        <translation>签署人：</translation>
    </message>
    <message>
        <source>Document number prefix:</source>
        <translation>文号前缀：</translation>
    </message>
    <message>
        <source>Basis:</source>
        <translation>考评依据：</translation>
    </message>
    <message>
        <source>Final grade:</source>
        <translation>正式等级：</translation>
    </message>
    <message>
        <source>Headquarters</source>
        <translation>总部</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>地址：</translation>
    </message>
    <message>
        <source>Set by headquarters</source>
        <translation>由总部设定</translation>
    </message>
    <message>
        <source>Headquarters set the fields shown read-only, in its event package; they cannot be changed on this laptop.</source>
        <translation>只读显示的项目由总部在活动数据包中设定，不能在本电脑上修改。</translation>
    </message>
    <message>
        <source>the whole random sample checked, or at least {share} of it with a written reason</source>
        <translation>随机抽样全部检查完毕，或至少检查其中 {share} 并写明理由</translation>
    </message>
    <message>
        <source>(set by headquarters)</source>
        <translation>（由总部设定）</translation>
    </message>
    <message>
        <source>(the default; headquarters may set another)</source>
        <translation>（默认值；总部可另行设定）</translation>
    </message>
    <message>
        <source>This laptop is enrolled with headquarters at {address}. Another address needs a new enrolment, with a one-time code from headquarters.</source>
        <translation>本机已注册在 {address} 的总部。换用其他地址需要用总部新发的一次性注册码重新注册。</translation>
    </message>
    <message>
        <source>Not enrolled yet: enrol with this address and a one-time code from headquarters (Sync menu).</source>
        <translation>尚未注册：请用此地址和总部发的一次性注册码注册（“同步”菜单）。</translation>
    </message>
    <message>
        <source>“{text}” is not a headquarters address: write it as https://host or https://host:port (http:// only for a test server). Nothing was saved.</source>
        <translation>“{text}”不是总部地址：请写成 https://主机 或 https://主机:端口（http:// 仅用于测试服务器）。未保存任何内容。</translation>
    </message>
    <message>
        <source>This laptop stays enrolled with {enrolled} and keeps sending its records there until it is enrolled at the new address.</source>
        <translation>在注册到新地址之前，本机仍注册在 {enrolled}，记录仍发送到那里。</translation>
    </message>
</context>
<context>
    <name>Sync</name>
    <message>
        <source>“{0}” is not a headquarters address: it must start with http:// or https://</source>
        <translation>“{0}”不是总部地址：必须以 http:// 或 https:// 开头</translation>
    </message>
    <message>
        <source>Warning: plain http to {0}: the device token and every record cross the network unencrypted; have headquarters serve with --cert/--key and enrol with its https:// address</source>
        <translation>警告：正在以明文 http 连接 {0}：设备令牌和每一条记录都将未经加密地在网络上传输；请让总部以 --cert/--key 启动服务，并用其 https:// 地址注册本机</translation>
    </message>
    <message>
        <source>Headquarters cannot be reached at {0} ({1})</source>
        <translation>无法连接总部 {0}（{1}）</translation>
    </message>
    <message>
        <source>No headquarters certificate is pinned for {0}; enrol this laptop again</source>
        <translation>本机没有保存 {0} 的总部证书，请重新注册本机</translation>
    </message>
    <message>
        <source>Headquarters at {0} presented a certificate other than the one this laptop enrolled with; nothing was sent (the connection may be intercepted, or HQ renewed its certificate: enrol again)</source>
        <translation>总部 {0} 出示的证书与本机注册时的证书不同，未发送任何数据（连接可能被拦截，或总部已更换证书：请重新注册）</translation>
    </message>
    <message>
        <source>Headquarters cannot be reached at {0}: no network, or the service is not running</source>
        <translation>无法连接总部 {0}：没有网络，或总部服务未运行</translation>
    </message>
    <message>
        <source>Headquarters at {0} did not answer in time</source>
        <translation>总部 {0} 未及时应答</translation>
    </message>
    <message>
        <source>The connection to headquarters failed: {0}</source>
        <translation>与总部的连接失败：{0}</translation>
    </message>
    <message>
        <source>Headquarters does not accept this laptop ({0}); enrol it again</source>
        <translation>总部不接受本机（{0}），请重新注册</translation>
    </message>
    <message>
        <source>Headquarters refused this laptop: {0}</source>
        <translation>总部拒绝了本机：{0}</translation>
    </message>
    <message>
        <source>Headquarters answered with an error ({0}): {1}</source>
        <translation>总部返回错误（{0}）：{1}</translation>
    </message>
    <message>
        <source>Headquarters sent an answer this laptop cannot read</source>
        <translation>总部返回的应答无法识别</translation>
    </message>
    <message>
        <source>This laptop is not enrolled with headquarters yet (menu Sync → Enrol, or: python -m app enrol)</source>
        <translation>本机尚未在总部注册（菜单“同步 → 在总部注册本机”，或命令：python -m app enrol）</translation>
    </message>
    <message>
        <source>This laptop enrolled with headquarters over https; it does not send its token and records over plain http to {0}. Use the https address it enrolled with ({1}), or leave --hq out</source>
        <translation>本机是通过 https 在总部注册的，不会以明文 http 向 {0} 发送令牌和记录。请使用注册时的 https 地址（{1}），或不要指定 --hq</translation>
    </message>
    <message>
        <source>The headquarters certificate&apos;s fingerprint is {0}, not the {1} you were given; not enrolled</source>
        <translation>总部证书的指纹是 {0}，与您得到的 {1} 不符；未注册</translation>
    </message>
    <message>
        <source>The supervisor&apos;s signing certificate could not be registered with headquarters: {0}</source>
        <translation>督导员的签名证书未能在总部登记：{0}</translation>
    </message>
    <message>
        <source>The profile&apos;s database is busy (another program or window is writing to it); sync will try again</source>
        <translation>本机数据库正忙（另一个程序或窗口正在写入），稍后将自动重新同步</translation>
    </message>
    <message>
        <source>{0} records were refused by headquarters; first: {1}</source>
        <translation>总部拒收了 {0} 条记录；第一条：{1}</translation>
    </message>
    <message>
        <source>unreadable answer</source>
        <translation>应答无法识别</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>被拒收</translation>
    </message>
    <message>
        <source>no answer for this record</source>
        <translation>总部未应答此记录</translation>
    </message>
    <message>
        <source>This laptop is not enrolled with headquarters yet; a bundle must be signed with the key made at enrolment</source>
        <translation>本机尚未在总部注册；离线数据包须用注册时生成的密钥签名</translation>
    </message>
    <message>
        <source>{0} records are more than one bundle file can carry to headquarters (it reads at most {1} MB and {2} records); sync over the network instead</source>
        <translation>{0} 条记录超出一个离线数据包能带给总部的上限（最多 {1} MB、{2} 条记录）；请改用联网同步</translation>
    </message>
    <message>
        <source>Headquarters sent no event package</source>
        <translation>总部没有发来活动数据包</translation>
    </message>
    <message>
        <source>The event package {0} cannot be read: {1}</source>
        <translation>无法读取活动数据包 {0}：{1}</translation>
    </message>
    <message>
        <source>This laptop is not enrolled with headquarters, so it cannot check who made the event package; enrol first</source>
        <translation>本机尚未在总部注册，无法核实活动数据包的来源；请先注册</translation>
    </message>
    <message>
        <source>The event package is refused: {0}</source>
        <translation>活动数据包被拒绝：{0}</translation>
    </message>
    <message>
        <source>its form settings are not a set of texts</source>
        <translation>其考评表设置不是一组文字</translation>
    </message>
    <message>
        <source>its minimum sample share is not a share from 0.001 to 1</source>
        <translation>其样本最低检查比例不是 0.001 到 1 之间的数</translation>
    </message>
    <message>
        <source>its form setting “{0}” is not a plain text (no control characters) of at most {1} characters</source>
        <translation>其考评表设置“{0}”不是不超过 {1} 个字符的纯文字（不含控制字符）</translation>
    </message>
    <message>
        <source>its document numbers are not a list of at most {0} blocks</source>
        <translation>其文号不是不超过 {0} 段的列表</translation>
    </message>
    <message>
        <source>its document-number block {0} is not a block</source>
        <translation>其第 {0} 段文号不是号段</translation>
    </message>
    <message>
        <source>its document-number block {0} is not a prefix with a year and a range of numbers</source>
        <translation>其第 {0} 段文号不是“前缀、年份和号码范围”</translation>
    </message>
    <message>
        <source>its document-number block {0} ({1}, {2}–{3}) is out of range</source>
        <translation>其第 {0} 段文号（{1}，{2}–{3}）超出范围</translation>
    </message>
    <message>
        <source>The event package is damaged: its record {0} is not a record (kind, id, hash and payload)</source>
        <translation>活动数据包已损坏：其中的第 {0} 项不是有效记录（应含类型、编号、哈希和内容）</translation>
    </message>
    <message>
        <source>The event package is damaged: {0}</source>
        <translation>活动数据包已损坏：{0}</translation>
    </message>
    <message>
        <source>The event package holds no event</source>
        <translation>活动数据包中没有活动</translation>
    </message>
    <message>
        <source>The event package cannot be applied: {0}</source>
        <translation>活动数据包无法导入：{0}</translation>
    </message>
    <message>
        <source>the file is too large to be an event package</source>
        <translation>文件过大，不是活动数据包</translation>
    </message>
    <message>
        <source>this is not an event package file, or it was cut short</source>
        <translation>这不是活动数据包文件，或文件不完整</translation>
    </message>
    <message>
        <source>this is not an event package file</source>
        <translation>这不是活动数据包文件</translation>
    </message>
    <message>
        <source>the package was made by a newer version of the program; update this laptop</source>
        <translation>该数据包由更新版本的程序生成，请先升级本机程序</translation>
    </message>
    <message>
        <source>the package is incomplete</source>
        <translation>数据包内容不完整</translation>
    </message>
    <message>
        <source>the package was not signed by the headquarters this laptop is enrolled with</source>
        <translation>该数据包不是由本机注册的总部签名的</translation>
    </message>
    <message>
        <source>the package&apos;s signature does not match its content: it was changed after headquarters signed it, or it is damaged</source>
        <translation>数据包的签名与内容不符：总部签名后被改动过，或文件已损坏</translation>
    </message>
    <message>
        <source>the package&apos;s content is damaged</source>
        <translation>数据包内容已损坏</translation>
    </message>
    <message>
        <source>the package&apos;s content nests deeper than any real package: it is damaged or forged</source>
        <translation>数据包内容的嵌套层数超过任何真实数据包：文件已损坏或被伪造</translation>
    </message>
    <message>
        <source>the package holds more values or records than this program reads from one file: it is damaged or forged, or the event is too large for one package</source>
        <translation>数据包包含的数值或记录超过本程序单个文件的读取上限：文件已损坏或被伪造，或活动过大、无法放入一个数据包</translation>
    </message>
    <message>
        <source>its scoring rules cannot be used: {0}</source>
        <translation>其计分规则无法使用：{0}</translation>
    </message>
    <message>
        <source>they are not a version and a document</source>
        <translation>不是“版本号和规则文件”</translation>
    </message>
    <message>
        <source>the version is not a positive whole number</source>
        <translation>版本号不是正整数</translation>
    </message>
    <message>
        <source>the package says version {0}, its document version {1}</source>
        <translation>数据包写明第 {0} 版，而规则文件是第 {1} 版</translation>
    </message>
    <message>
        <source>version {0} differs from the version {0} this program ships</source>
        <translation>第 {0} 版与本程序自带的第 {0} 版不同</translation>
    </message>
    <message>
        <source>version {0} differs from the version {0} this laptop received before</source>
        <translation>第 {0} 版与本电脑先前收到的第 {0} 版不同</translation>
    </message>
</context>
<context>
    <name>SyncController</name>
    <message>
        <source>Sync stopped because of a fault in the program; nothing was lost, and the details are in the log. It will try again later.</source>
        <translation>程序故障导致同步中止；数据没有丢失，详细信息已写入日志。稍后将自动重试。</translation>
    </message>
</context>
<context>
    <name>SyncMenu</name>
    <message>
        <source>&amp;Sync</source>
        <translation>同步(&amp;S)</translation>
    </message>
    <message>
        <source>Enrol with headquarters…</source>
        <translation>在总部注册本机…</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>Get event from headquarters…</source>
        <translation>从总部获取活动…</translation>
    </message>
    <message>
        <source>Import event package…</source>
        <translation>导入活动数据包…</translation>
    </message>
    <message>
        <source>Export bundle for USB…</source>
        <translation>导出离线数据包（U盘）…</translation>
    </message>
    <message>
        <source>Event “{name}” is on this laptop: {created} records added, {updated} updated; {issuers} trusted issuer(s), {revoked} revoked certificate(s).</source>
        <translation>活动“{name}”已导入本机：新增 {created} 条记录，更新 {updated} 条；受信任签发机关 {issuers} 个，已吊销证件 {revoked} 张。</translation>
    </message>
    <message>
        <source>Event from headquarters</source>
        <translation>来自总部的活动</translation>
    </message>
    <message>
        <source>Event package from headquarters</source>
        <translation>总部下发的活动数据包</translation>
    </message>
    <message>
        <source>Event packages (*.vspkg);;All files (*)</source>
        <translation>活动数据包 (*.vspkg);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Importing the event package…</source>
        <translation>正在导入活动数据包…</translation>
    </message>
    <message>
        <source>Event package not imported</source>
        <translation>活动数据包未导入</translation>
    </message>
    <message>
        <source>Bundle for headquarters</source>
        <translation>交总部的离线数据包</translation>
    </message>
    <message>
        <source>Bundles (*.vsbundle);;All files (*)</source>
        <translation>离线数据包 (*.vsbundle);;所有文件 (*)</translation>
    </message>
    <message>
        <source>{count} records written to {path}. Take the file to headquarters; they count as sent once HQ has imported it.</source>
        <translation>已将 {count} 条记录写入 {path}。请把该文件带到总部；总部导入后，这些记录即算作已同步。</translation>
    </message>
    <message>
        <source>Bundle written</source>
        <translation>离线数据包已导出</translation>
    </message>
    <message>
        <source>Writing the bundle…</source>
        <translation>正在写入离线数据包…</translation>
    </message>
    <message>
        <source>Bundle not written</source>
        <translation>离线数据包未导出</translation>
    </message>
</context>
<context>
    <name>SyncProtocol</name>
    <message>
        <source>bundle</source>
        <translation>离线数据包</translation>
    </message>
    <message>
        <source>event package</source>
        <translation>活动数据包</translation>
    </message>
    <message>
        <source>the file is too large to be a {what}</source>
        <translation>文件过大，不是{what}</translation>
    </message>
    <message>
        <source>this is not a {what} file (its envelope is not a flat JSON object of a few fields)</source>
        <translation>这不是{what}文件（其外层不是由少数字段组成的扁平 JSON 对象）</translation>
    </message>
    <message>
        <source>the {what} is larger than {limit} MB once unpacked</source>
        <translation>{what}解压后超过 {limit} MB</translation>
    </message>
    <message>
        <source>this is not a {what} file (it is not compressed JSON, or it was cut short)</source>
        <translation>这不是{what}文件（不是压缩的 JSON，或文件不完整）</translation>
    </message>
    <message>
        <source>this is not a {what} file (format {found})</source>
        <translation>这不是{what}文件（格式为 {found}）</translation>
    </message>
    <message>
        <source>the {what} has version {version}; this program reads version {supported}</source>
        <translation>该{what}的版本为 {version}；本程序读取的版本为 {supported}</translation>
    </message>
    <message>
        <source>the {what} is incomplete (signer, body or signature missing)</source>
        <translation>{what}内容不完整（缺少签名者、正文或签名）</translation>
    </message>
    <message>
        <source>the {what} was signed by {signer}, which is not known or no longer trusted here</source>
        <translation>该{what}的签名者 {signer} 在本机未知或已不再受信任</translation>
    </message>
    <message>
        <source>the {what}&apos;s signature does not match its content: the file was changed after it was signed, or is damaged</source>
        <translation>{what}的签名与内容不符：文件在签名后被改动过，或已损坏</translation>
    </message>
    <message>
        <source>the {what}&apos;s content is not valid JSON</source>
        <translation>{what}的内容不是有效的 JSON</translation>
    </message>
    <message>
        <source>the {what} holds no list of records</source>
        <translation>{what}中没有记录列表</translation>
    </message>
    <message>
        <source>the {what} holds more than {limit} records; no real {what} does (it is damaged or forged)</source>
        <translation>该{what}包含超过 {limit} 条记录；真实的{what}不会如此（文件已损坏或被伪造）</translation>
    </message>
    <message>
        <source>the {what} nests its data more than {limit} levels deep; no real {what} does (it is damaged or forged)</source>
        <translation>该{what}的数据嵌套超过 {limit} 层；真实的{what}不会如此（文件已损坏或被伪造）</translation>
    </message>
    <message>
        <source>the {what} holds more than {limit} values; no real {what} does (it is damaged or forged)</source>
        <translation>该{what}包含超过 {limit} 个数值；真实的{what}不会如此（文件已损坏或被伪造）</translation>
    </message>
</context>
<context>
    <name>SyncRecords</name>
    <message>
        <source>no event {id}</source>
        <translation>找不到活动 {id}</translation>
    </message>
    <message>
        <source>not true/false</source>
        <translation>不是 true/false 值</translation>
    </message>
    <message>
        <source>not a whole number</source>
        <translation>不是整数</translation>
    </message>
    <message>
        <source>not a number</source>
        <translation>不是数字</translation>
    </message>
    <message>
        <source>not text</source>
        <translation>不是文本</translation>
    </message>
    <message>
        <source>{kind} field {field}: {value} is {problem}</source>
        <translation>{kind} 的字段 {field}：{value} {problem}</translation>
    </message>
    <message>
        <source>{kind} {id}: the attached file is not valid base64</source>
        <translation>{kind} {id}：附件不是有效的 base64 编码</translation>
    </message>
    <message>
        <source>{kind} {id}: field {field} is missing</source>
        <translation>{kind} {id}：缺少字段 {field}</translation>
    </message>
    <message>
        <source>an event package cannot carry {kind} records</source>
        <translation>活动数据包中不能包含 {kind} 记录</translation>
    </message>
    <message>
        <source>{kind} {id}: content hash does not match</source>
        <translation>{kind} {id}：内容哈希值不符</translation>
    </message>
    <message>
        <source>{kind} record id {id} is not a UUID</source>
        <translation>{kind} 记录的 ID {id} 不是 UUID</translation>
    </message>
    <message>
        <source>holds a NUL character</source>
        <translation>含有 NUL 字符</translation>
    </message>
    <message>
        <source>is not valid Unicode text (a lone surrogate)</source>
        <translation>不是有效的 Unicode 文本（含孤立代理字符）</translation>
    </message>
    <message>
        <source>is empty (null), and the table needs a value</source>
        <translation>为空（null），而该表要求有值</translation>
    </message>
    <message>
        <source>is not true/false</source>
        <translation>不是真/假值</translation>
    </message>
    <message>
        <source>is not a whole number</source>
        <translation>不是整数</translation>
    </message>
    <message>
        <source>is a whole number beyond 64 bits</source>
        <translation>是超出 64 位范围的整数</translation>
    </message>
    <message>
        <source>is not a number</source>
        <translation>不是数字</translation>
    </message>
    <message>
        <source>is not a finite number</source>
        <translation>不是有限数值</translation>
    </message>
    <message>
        <source>is not an ISO 8601 time</source>
        <translation>不是 ISO 8601 时间</translation>
    </message>
    <message>
        <source>is not an ISO 8601 date</source>
        <translation>不是 ISO 8601 日期</translation>
    </message>
    <message>
        <source>is not valid base64</source>
        <translation>不是有效的 base64</translation>
    </message>
    <message>
        <source>is not text</source>
        <translation>不是文本</translation>
    </message>
    <message>
        <source>is too long to be a time</source>
        <translation>太长，不可能是时间</translation>
    </message>
    <message>
        <source>is longer than {count} characters</source>
        <translation>超过 {count} 个字符</translation>
    </message>
    <message>
        <source>is too long for a file name</source>
        <translation>作为文件名太长</translation>
    </message>
    <message>
        <source>unknown record kind {kind}</source>
        <translation>未知的记录类型 {kind}</translation>
    </message>
    <message>
        <source>the payload is not an object</source>
        <translation>记录内容不是对象</translation>
    </message>
    <message>
        <source>the payload has a field the {kind} table does not have: {field}</source>
        <translation>记录内容含有 {kind} 表没有的字段：{field}</translation>
    </message>
    <message>
        <source>field {field} is missing</source>
        <translation>缺少字段 {field}</translation>
    </message>
    <message>
        <source>field {field} {problem}</source>
        <translation>字段 {field} {problem}</translation>
    </message>
    <message>
        <source>{kind} {id}: {problem}</source>
        <translation>{kind} {id}：{problem}</translation>
    </message>
    <message>
        <source>{kind} {id}: the payload&apos;s id differs from the record&apos;s</source>
        <translation>{kind} {id}：记录内容中的编号与记录编号不一致</translation>
    </message>
    <message>
        <source>the package carries the id {id} twice (as {first} and as {second})</source>
        <translation>数据包中编号 {id} 出现了两次（分别作为 {first} 和 {second}）</translation>
    </message>
    <message>
        <source>{kind} {id}: this profile holds that id as a {other} already</source>
        <translation>{kind} {id}：本数据档案中该编号已属于一条{other}记录</translation>
    </message>
    <message>
        <source>{kind} {id}: its {field} names {value}, which is neither in this profile nor in the package</source>
        <translation>{kind} {id}：其 {field} 指向 {value}，但它既不在本数据档案中，也不在数据包中</translation>
    </message>
    <message>
        <source>this profile already has an event named “{name}” that did not come from this package; rename that event first</source>
        <translation>本机已有名为“{name}”的活动，且不是来自此数据包；请先将该活动改名</translation>
    </message>
    <message>
        <source>{kind} {id} does not fit this profile ({detail})</source>
        <translation>{kind} {id} 与本数据档案不符（{detail}）</translation>
    </message>
</context>
<context>
    <name>SyncStatusWidget</name>
    <message>
        <source>Sync n&amp;ow</source>
        <translation>立即同步(&amp;O)</translation>
    </message>
    <message>
        <source>Enro&amp;l…</source>
        <translation>注册(&amp;L)…</translation>
    </message>
    <message>
        <source>Sync: checking…</source>
        <translation>同步：检查中…</translation>
    </message>
    <message>
        <source>Not enrolled with headquarters · {count} pending</source>
        <translation>未在总部注册 · 待同步 {count} 条</translation>
    </message>
    <message>
        <source>Changes are kept on this laptop until it is enrolled with headquarters (menu Sync → Enrol).</source>
        <translation>本机在总部注册之前，更改都保存在本机上（菜单“同步 → 在总部注册本机”）。</translation>
    </message>
    <message>
        <source>{count} pending</source>
        <translation>待同步 {count} 条</translation>
    </message>
    <message>
        <source>last sync {time}</source>
        <translation>上次同步 {time}</translation>
    </message>
    <message>
        <source>never synced</source>
        <translation>尚未同步</translation>
    </message>
    <message>
        <source>Headquarters: {url}
Supervisor: {name}</source>
        <translation>总部：{url}
督导员：{name}</translation>
    </message>
</context>
<context>
    <name>UserGuideDialog</name>
    <message>
        <source>User guide</source>
        <translation>使用指南</translation>
    </message>
    <message>
        <source>The user guide is missing from this installation ({path}: {error}). Ask headquarters for a complete copy of the program.</source>
        <translation>本次安装缺少使用指南（{path}：{error}）。请向总部索取完整的程序副本。</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <source>Welcome to Venue Supervisor</source>
        <translation>欢迎使用大型活动安保现场督导</translation>
    </message>
    <message>
        <source>Checking the security guards at large events, at the venue, without a network.</source>
        <translation>在大型活动现场检查保安员，无需网络。</translation>
    </message>
    <message>
        <source>Scan a guard&apos;s certificate and see at once whether the guard belongs at this post; tick the checklist, record corrections on the spot, sign the evaluation and send it all to headquarters.</source>
        <translation>扫描保安员证，立即知道其是否属于本岗位；勾选检查项，记录现场整改，签署考评，并全部发送到总部。</translation>
    </message>
    <message>
        <source>This set-up takes a few minutes: who you are, a password for your profile, your signing certificate, headquarters, and your first event. Click Next to begin.</source>
        <translation>设置只需几分钟：您的身份、数据档案密码、签名证书、总部注册，以及第一个活动。点击“下一步”开始。</translation>
    </message>
    <message>
        <source>Open the demonstration instead</source>
        <translation>改为打开演示</translation>
    </message>
    <message>
        <source>A made-up concert with hundreds of guards, to try everything first. Demonstration data only: nothing is set up, and this set-up comes back at the next start.</source>
        <translation>一场虚构的演唱会，有数百名保安员，可先试用全部功能。仅为演示数据：不会进行任何设置，下次启动时仍会出现本设置向导。</translation>
    </message>
</context>
<context>
    <name>WindowLock</name>
    <message>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>Enter the password.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <source>Checking the password…</source>
        <translation>正在核对密码…</translation>
    </message>
    <message>
        <source>Wrong password. Try again.</source>
        <translation>密码错误，请重试。</translation>
    </message>
    <message>
        <source>A badge was scanned while locked: nothing was recorded. Unlock, then scan it again.</source>
        <translation>锁定期间扫描了证件：未作任何记录。请解锁后重新扫描。</translation>
    </message>
</context>
<context>
    <name>Workbench</name>
    <message>
        <source>the evaluation of this event is signed: start a new version to correct it</source>
        <translation>本活动的考评已签名：如需更正，请新建版本</translation>
    </message>
    <message>
        <source>this inspection is part of a signed evaluation: it can no longer be changed</source>
        <translation>该检查记录属于已签名的考评，不能再修改</translation>
    </message>
    <message>
        <source>no event {id}</source>
        <translation>找不到活动 {id}</translation>
    </message>
    <message>
        <source>event name is required</source>
        <translation>请填写活动名称</translation>
    </message>
    <message>
        <source>an event named {name} already exists</source>
        <translation>已有名为“{name}”的活动</translation>
    </message>
    <message>
        <source>no post {id}</source>
        <translation>找不到岗位 {id}</translation>
    </message>
    <message>
        <source>post name is required</source>
        <translation>请填写岗位名称</translation>
    </message>
    <message>
        <source>a post named {name} already exists</source>
        <translation>已有名为“{name}”的岗位</translation>
    </message>
    <message>
        <source>photo file not found: {file}</source>
        <translation>找不到照片文件：{file}</translation>
    </message>
    <message>
        <source>no guard {id}</source>
        <translation>找不到保安员 {id}</translation>
    </message>
    <message>
        <source>only a scanned badge opens an inspection</source>
        <translation>只有扫描保安员证才能开始检查</translation>
    </message>
    <message>
        <source>the inspection was undone</source>
        <translation>该检查已撤销</translation>
    </message>
    <message>
        <source>no inspection {id}</source>
        <translation>找不到检查记录 {id}</translation>
    </message>
    <message>
        <source>evidence file not found: {file}</source>
        <translation>找不到取证文件：{file}</translation>
    </message>
    <message>
        <source>no finding {id}</source>
        <translation>找不到问题记录 {id}</translation>
    </message>
</context>
</TS>
